"""The web terminal's command-line reader (`kubectlargs`): pflag's rules, then the allowlist.

The rows that run show what kubectl is given (every flag spelled `--name=value`);
the hostile rows spell each flag that would read a server file or change the
server, identity or kubeconfig in every way pflag reads it, and each must be
refused before anything runs. The same payloads run end to end, through a real
daphne and the sandboxed kubectl, in tests/kubectl/test_web_terminal.py.
"""

from __future__ import annotations

import shlex

import pytest

from clusterviz.dashboard.kubectlargs import COMMANDS, GLOBAL, check
from clusterviz.dashboard.webkubectl import Shell, parse
from clusterviz.web import Refused

# (long name, shorthand, a value it could be given); the value is what would escape
ESCAPING_FLAGS = [
    ("server", "s", "http://127.0.0.1:18999"), ("kubeconfig", "", "/etc/passwd"),
    ("context", "", "other"), ("cluster", "", "other"), ("user", "", "admin"),
    ("token", "", "x"), ("as", "", "system:admin"), ("as-group", "", "system:masters"),
    ("certificate-authority", "", "/etc/passwd"), ("client-certificate", "", "/etc/passwd"),
    ("client-key", "", "/etc/passwd"), ("tls-server-name", "", "evil"),
    ("insecure-skip-tls-verify", "", "true"), ("proxy-url", "", "http://127.0.0.1:18999"),
    ("kuberc", "", "/etc/passwd"), ("cache-dir", "", "/tmp"), ("filename", "f", "/etc/passwd"),
    ("kustomize", "k", "/etc"), ("recursive", "R", "true"), ("raw", "", "/etc/passwd"),
    ("log-file", "", "/tmp/x"), ("log-dir", "", "/tmp"), ("profile", "", "cpu"),
    ("profile-output", "", "/tmp/x"), ("username", "", "admin"), ("password", "", "x"),
    ("prune", "", "true"), ("edit", "", "true"), ("vmodule", "", "x=9"),
]
FILE_OUTPUTS = ["go-template-file", "jsonpath-file", "custom-columns-file", "templatefile"]


def _spellings(name: str, short: str, value: str) -> list[str]:
    """Every way pflag reads `--name value` (no abbreviation: pflag has none)."""
    forms = [f"--{name} {value}", f"--{name}={value}"]
    if "-" in name:
        forms.append(f"--{name.replace('-', '_')}={value}")  # kubectl's WordSepNormalizeFunc
    if short:
        forms += [f"-{short} {value}", f"-{short}{value}", f"-{short}={value}",
                  f"-A{short} {value}", f"-A{short}{value}", f"-A{short}={value}"]
    return forms


def _hostile_lines() -> list:
    rows = []
    for name, short, value in ESCAPING_FLAGS:
        for form in _spellings(name, short, value):
            for line in (f"get pods {form}", f"{form} get pods", f"apply {form}"):
                rows.append(pytest.param(line, id=line))
    for fmt in FILE_OUTPUTS:
        for form in (f"-o {fmt}=/etc/passwd", f"-o={fmt}=/etc/passwd", f"-o{fmt}=/etc/passwd",
                     f"-Ao {fmt}=/etc/passwd", f"-Ao{fmt}=/etc/passwd",
                     f"--output={fmt}=/etc/passwd", f"--output {fmt}",
                     f"-o {fmt} --template=/etc/passwd"):
            rows.append(pytest.param(f"get pods {form}", id=f"get pods {form}"))
    return rows


@pytest.mark.parametrize("line", [
    *_hostile_lines(),
    pytest.param("get pods -Afalse", id="bool-then-f-takes-the-rest"),  # -A, then -f "alse"
    pytest.param("get pods -wf /etc/passwd", id="watch-then-file"),
    pytest.param("apply -Rf /etc/passwd", id="issue-apply-Rf"),
    pytest.param("get pods --all-namespace", id="abbreviation-is-unknown-to-pflag"),
    pytest.param("get pods --serv=http://127.0.0.1:1", id="abbreviated-server"),
    pytest.param("get pods --kubecon=/etc/passwd", id="abbreviated-kubeconfig"),
    pytest.param("exec web -f /etc/passwd -- ls", id="exec-filename"),
    pytest.param("logs web --insecure-skip-tls-verify-backend", id="logs-insecure"),
    pytest.param("create deployment x --image=nginx", id="create-subcommand"),
    pytest.param("apply edit-last-applied deploy/x", id="apply-subcommand-opens-editor"),
    pytest.param("rollout", id="rollout-without-subcommand"),
    pytest.param("rollout frobnicate deploy/x", id="rollout-unknown"),
    pytest.param("config view", id="config"),
    pytest.param("cp web:/etc/hosts hosts", id="cp"),
    pytest.param("proxy", id="proxy"),
    pytest.param("plugin list", id="plugin"),
    pytest.param("-A get pods", id="command-flag-before-command"),
    pytest.param("-- get pods", id="dash-before-command"),
    pytest.param("get pods ---server=x", id="bad-syntax"),
    pytest.param("get pods -o", id="value-missing"),
    pytest.param("get pods -test.v", id="gotest-shorthand"),
])
def test_hostile_command_lines_are_refused(line):
    with pytest.raises(Refused):
        check(shlex.split(line))


@pytest.mark.parametrize("line, message", [
    pytest.param("get pods -Aogo-template-file=/etc/passwd",
                 "refused: -o go-template-file=/etc/passwd is not an output format this "
                 "terminal prints (no *-file formats: they read a file on the server)",
                 id="combined-o"),
    pytest.param("get pods -As http://127.0.0.1:18999", "refused: -s is not allowed here; "
                 "this terminal always talks to this cluster as the student and reads no "
                 "files on the server", id="combined-s"),
    pytest.param("apply -Rf /etc/passwd", "refused: -R is not allowed here", id="combined-R"),
    pytest.param("get pods -Afalse", "refused: -f alse would read a path on the server; "
                 "paste the manifest in the box below and use -f -", id="A-then-f"),
    pytest.param("get pods --all-namespace", "refused: --all-namespace is not a flag this "
                 "terminal allows for kubectl get (it allows: -n/--namespace, ",
                 id="unknown-long"),
    pytest.param("-A get pods", "refused: -A is not a flag this terminal allows before the "
                 "command (only -n/--namespace, -v/--v, --request-timeout, -h/--help, "
                 "--warnings-as-errors)", id="before-command"),
    pytest.param("get pods -o", "error: flag needs an argument: 'o' in -o", id="needs-value"),
    pytest.param("get pods --output", "error: flag needs an argument: --output",
                 id="needs-value-long"),
    pytest.param("get pods ---x", "error: bad flag syntax: ---x", id="bad-syntax"),
    pytest.param("rollout", "kubectl rollout needs one of: status, history, restart, undo, "
                 "pause, resume", id="rollout"),
    pytest.param("rollout frob x", 'refused: "kubectl rollout frob" is not a command this '
                 "terminal runs; kubectl rollout here is one of: status, ", id="rollout-frob"),
])
def test_refusals_say_why(line, message):
    with pytest.raises(Refused) as refused:
        check(shlex.split(line))
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize("line, path, args", [
    pytest.param("get pods -Aowide", ["get"], ["get", "pods", "--all-namespaces=true",
                                               "--output=wide"], id="combined-bool-then-o"),
    pytest.param("get pods -Ao wide", ["get"], ["get", "pods", "--all-namespaces=true",
                                                "--output=wide"], id="o-takes-next-word"),
    pytest.param("get pods -o=json", ["get"], ["get", "pods", "--output=json"], id="o-equals"),
    pytest.param("get pods -A=false", ["get"], ["get", "pods", "--all-namespaces=false"],
                 id="bool-false"),
    pytest.param("get pods --show-labels=false", ["get"],
                 ["get", "pods", "--show-labels=false"], id="long-bool-false"),
    pytest.param("get pods --all_namespaces", ["get"], ["get", "pods", "--all-namespaces=true"],
                 id="underscore-normalized"),
    pytest.param("-n kube-system get pods", ["get"],
                 ["--namespace=kube-system", "get", "pods"], id="global-before-command"),
    pytest.param("-nkube-system get pods", ["get"],
                 ["--namespace=kube-system", "get", "pods"], id="global-attached"),
    pytest.param("get pods -n -x", ["get"], ["get", "pods", "--namespace=-x"],
                 id="value-may-start-with-dash"),
    pytest.param("get pods -o jsonpath='{.items[*].metadata.name}'", ["get"],
                 ["get", "pods", "--output=jsonpath={.items[*].metadata.name}"], id="jsonpath"),
    pytest.param("get pods -o custom-columns=NAME:.metadata.name", ["get"],
                 ["get", "pods", "--output=custom-columns=NAME:.metadata.name"],
                 id="custom-columns"),
    pytest.param("delete pod x --cascade", ["delete"],
                 ["delete", "pod", "x", "--cascade=background"], id="optional-value-bare"),
    pytest.param("delete pod x --cascade=foreground", ["delete"],
                 ["delete", "pod", "x", "--cascade=foreground"], id="optional-value-given"),
    pytest.param("apply -f -", ["apply"], ["apply", "--filename=-"], id="stdin"),
    pytest.param("apply -f=-", ["apply"], ["apply", "--filename=-"], id="stdin-equals"),
    pytest.param("apply -f-", ["apply"], ["apply", "--filename=-"], id="stdin-attached"),
    pytest.param("logs -f web", ["logs"], ["logs", "--follow=true", "web"],
                 id="logs-f-is-follow"),
    pytest.param("exec web -- curl -s http://svc -f /etc/passwd --server=x", ["exec"],
                 ["exec", "web", "--", "curl", "-s", "http://svc", "-f", "/etc/passwd",
                  "--server=x"], id="after-dash-is-the-pods-command"),
    pytest.param("get pods -- --server=http://127.0.0.1:1", ["get"],
                 ["get", "pods", "--", "--server=http://127.0.0.1:1"],
                 id="after-dash-is-an-argument"),
    pytest.param("rollout status deploy/web", ["rollout", "status"],
                 ["rollout", "status", "deploy/web"], id="rollout-status"),
    pytest.param("explain pods -R", ["explain"], ["explain", "pods", "--recursive=true"],
                 id="explain-R-is-fields"),
    pytest.param("get pods -", ["get"], ["get", "pods", "-"], id="lone-dash-is-an-argument"),
])
def test_command_lines_kubectl_is_given(line, path, args):
    parsed = check(shlex.split(line))
    assert (parsed.path, parsed.args) == (path, args)


def test_every_flag_kubectl_is_given_is_spelled_name_equals_value():
    """What kubectl runs cannot be read two ways: before `--`, a word is an argument or
    `--name=value` for an allowed name."""
    allowed = {f.name for f in GLOBAL}
    for verb in COMMANDS.values():
        for sub in (verb, *verb.subcommands.values()):
            allowed |= {f.name for f in sub.flags}
    parsed = check(shlex.split("-nweb get pods -Aowide -lapp=x --show-labels -w -L tier"))
    for word in parsed.args:
        if word.startswith("-") and word != "-":
            name, eq, _ = word[2:].partition("=")
            assert word.startswith("--") and eq and name in allowed, word


# `exec -it ... -- <shell>`: the Terminal tab opens the pod's shell page instead of running
# kubectl without a terminal; any other exec runs as typed
@pytest.mark.parametrize("line, shell", [
    ("exec -it web -- sh", Shell("default", "web", "", "sh")),
    ("kubectl exec -ti pod/web -n kube-system -c app -- /bin/bash",
     Shell("kube-system", "web", "app", "bash")),
    ("exec --stdin --tty --namespace=lab pods/web -- ash", Shell("lab", "web", "", "ash")),
    ("exec -i -t web -- sh", Shell("default", "web", "", "sh")),
    ("exec -it web -- sh -c 'echo hi'", None),  # a command, not a session
    ("exec -it web -- curl -s svc-node", None),
    ("exec -it deploy/web -- sh", None),  # kubectl picks the pod: it runs as typed
    ("exec -i web -- sh", None),  # no terminal asked for
    ("exec -t web -- sh", None),
    ("exec web -- sh", None),
])
def test_an_interactive_exec_is_the_pods_shell(line, shell):
    assert parse(line).shell == shell
