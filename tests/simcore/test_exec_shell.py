"""The tiny shell and the small programs: what `kubectl exec` shows, byte for byte."""

from __future__ import annotations

import pytest
from test_exec_fakenet import context

from simcore.exec import container_env, image_profile, run

NODE = "whatwant/node-web:1.0"  # dash, bash 5.0, GNU coreutils
UBUNTU = "ubuntu:latest"  # bash 5.2
BUSYBOX = "busybox"


def sh(image: str, script: str, **kw):
    return run(["sh", "-c", script], context(image, **kw))


# --- a command the image lacks --------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "argv", "code", "stdout", "stderr"),
    [
        pytest.param("ubuntu:20.04", ["curl", "x"], 126,
                     'OCI runtime exec failed: exec failed: container_linux.go:370: starting '
                     'container process caused: exec: "curl": executable file not found in '
                     '$PATH: unknown\r\n', "", id="docker-exec-direct"),
        pytest.param("alpine", ["/bin/bash"], 126,
                     'OCI runtime exec failed: exec failed: container_linux.go:370: starting '
                     'container process caused: exec: "/bin/bash": stat /bin/bash: no such file '
                     'or directory: unknown\r\n', "", id="docker-absolute-path"),
        pytest.param("ubuntu:20.04", ["sh", "-c", "curl x"], 127, "", "sh: 1: curl: not found\n",
                     id="dash"),
        pytest.param("ubuntu:20.04", ["sh", "-c", "true\ncurl x"], 127, "",
                     "sh: 2: curl: not found\n", id="dash-line-number"),
        pytest.param("ubuntu:20.04", ["bash", "-c", "curl x"], 127, "",
                     "bash: curl: command not found\n", id="bash-5.0"),
        pytest.param(UBUNTU, ["bash", "-c", "curl x"], 127, "",
                     "bash: line 1: curl: command not found\n", id="bash-5.2"),
        pytest.param(BUSYBOX, ["sh", "-c", "curl x"], 127, "", "sh: curl: not found\n",
                     id="busybox-ash"),
        pytest.param("ubuntu:20.04", ["/bin/sh", "-c", "curl x"], 127, "",
                     "/bin/sh: 1: curl: not found\n", id="dash-named-by-path"),
        pytest.param("ubuntu:20.04", ["sh", "-c", "[[ -e /x ]]"], 127, "",
                     "sh: 1: [[: not found\n", id="dash-has-no-double-bracket"),
        pytest.param(BUSYBOX, ["env", "curl"], 127, "",
                     "env: can't execute 'curl': No such file or directory\n", id="busybox-env"),
        pytest.param("ubuntu:20.04", ["env", "curl"], 127, "",
                     "env: 'curl': No such file or directory\n", id="gnu-env"),
    ],
)
def test_missing_command(image, argv, code, stdout, stderr) -> None:
    result = run(argv, context(image))
    assert (result.exit_code, result.stdout, result.stderr) == (code, stdout, stderr)


def test_containerd_refuses_the_exec_before_it_starts() -> None:
    result = run(["ps"], context("ubuntu:20.04", runtime="containerd"))
    assert result.exit_code == 1
    assert result.runtime_error is not None
    prefix, _, rest = result.runtime_error.partition('failed to start exec "')
    exec_id, _, tail = rest.partition('": ')
    assert prefix == ("Internal error occurred: error executing command in container: "
                      "failed to exec in container: ")
    assert len(exec_id) == 64
    assert tail == ("OCI runtime exec failed: exec failed: unable to start container process: "
                    'exec: "ps": executable file not found in $PATH: unknown')


def test_a_present_but_unmodelled_program_says_so() -> None:
    result = run(["ps"], context(NODE))
    assert (result.exit_code, result.stderr) == (
        1, "ps: this program exists in the image but is not simulated\n")


# --- the readiness-probe file -------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "code", "stderr"),
    [
        pytest.param(NODE, 2, "ls: cannot access '/var/ready': No such file or directory\n",
                     id="gnu"),
        pytest.param(BUSYBOX, 1, "ls: /var/ready: No such file or directory\n", id="busybox"),
    ],
)
def test_ls_touch_ls_rm_ls(image, code, stderr) -> None:
    ctx = context(image)
    first = run(["ls", "/var/ready"], ctx)
    assert (first.exit_code, first.stdout, first.stderr) == (code, "", stderr)
    assert run(["touch", "/var/ready"], ctx).exit_code == 0
    second = run(["ls", "/var/ready"], ctx)
    assert (second.exit_code, second.stdout, second.stderr) == (0, "/var/ready\n", "")
    assert ctx.files["/var/ready"] == ""
    assert run(["rm", "/var/ready"], ctx).exit_code == 0
    assert run(["ls", "/var/ready"], ctx).exit_code == code


@pytest.mark.parametrize(
    ("image", "argv", "code", "stderr"),
    [
        pytest.param(NODE, ["rm", "/var/ready"], 1,
                     "rm: cannot remove '/var/ready': No such file or directory\n", id="gnu-rm"),
        pytest.param(BUSYBOX, ["rm", "/var/ready"], 1,
                     "rm: can't remove '/var/ready': No such file or directory\n",
                     id="busybox-rm"),
        pytest.param(NODE, ["rm", "-f", "/var/ready"], 0, "", id="rm-f-is-quiet"),
        pytest.param(NODE, ["rm", "/tmp"], 1, "rm: cannot remove '/tmp': Is a directory\n",
                     id="gnu-rm-dir"),
        pytest.param(BUSYBOX, ["rm", "/tmp"], 1, "rm: '/tmp' is a directory\n",
                     id="busybox-rm-dir"),
        pytest.param(NODE, ["touch", "/nope/x"], 1,
                     "touch: cannot touch '/nope/x': No such file or directory\n", id="gnu-touch"),
        pytest.param(BUSYBOX, ["touch", "/nope/x"], 1,
                     "touch: /nope/x: No such file or directory\n", id="busybox-touch"),
        pytest.param(NODE, ["cat", "/x"], 1, "cat: /x: No such file or directory\n",
                     id="gnu-cat"),
        pytest.param(BUSYBOX, ["cat", "/x"], 1,
                     "cat: can't open '/x': No such file or directory\n", id="busybox-cat"),
        pytest.param(NODE, ["sleep", "x"], 1,
                     "sleep: invalid time interval 'x'\nTry 'sleep --help' for more "
                     "information.\n", id="gnu-sleep"),
        pytest.param(BUSYBOX, ["sleep", "x"], 1, "sleep: invalid number 'x'\n",
                     id="busybox-sleep"),
    ],
)
def test_file_and_sleep_errors(image, argv, code, stderr) -> None:
    result = run(argv, context(image))
    assert (result.exit_code, result.stderr) == (code, stderr)


def test_rm_rf_removes_a_tree() -> None:
    ctx = context(NODE)
    ctx.files["/tmp/healthy"] = ""
    assert run(["rm", "-rf", "/tmp/healthy", "/does/not/exist"], ctx).exit_code == 0
    assert "/tmp/healthy" not in ctx.files


def test_ls_of_a_directory_one_per_line_without_a_tty_columns_with_one() -> None:
    ctx = context(NODE, tty=False)
    for name in ("a", "bb", "c"):
        ctx.files[f"/data/{name}"] = ""
    assert run(["ls", "/data"], ctx).stdout == "a\nbb\nc\n"
    ctx.tty = True
    assert run(["ls", "/data"], ctx).stdout == "a  bb  c\n"


def test_cat_reads_the_kubelet_resolv_conf() -> None:
    result = run(["cat", "/etc/resolv.conf"], context(NODE))
    assert result.stdout == (
        "nameserver 10.96.0.10\n"
        "search default.svc.cluster.local svc.cluster.local cluster.local skbroadband\n"
        "options ndots:5\n")


# --- environment --------------------------------------------------------------------------

_KUBERNETES = [
    ("KUBERNETES_SERVICE_PORT_HTTPS", "443"), ("KUBERNETES_PORT", "tcp://10.96.0.1:443"),
    ("SVC_NODE_SERVICE_HOST", "10.104.191.116"), ("SVC_NODE_PORT", "tcp://10.104.191.116:80"),
]


def test_env_prints_the_runtime_order_of_the_lecture() -> None:
    profile = image_profile(NODE)
    env = container_env(profile, _KUBERNETES, "rs-node-web-ghqnq", tty=True)
    ctx = context(NODE, env=dict(item.split("=", 1) for item in env))
    assert run(["env"], ctx).stdout == (
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
        "HOSTNAME=rs-node-web-ghqnq\n"
        "TERM=xterm\n"
        "KUBERNETES_SERVICE_PORT_HTTPS=443\n"
        "KUBERNETES_PORT=tcp://10.96.0.1:443\n"
        "SVC_NODE_SERVICE_HOST=10.104.191.116\n"
        "SVC_NODE_PORT=tcp://10.104.191.116:80\n"
        "NODE_VERSION=15.14.0\n"
        "YARN_VERSION=1.22.5\n"
        "HOME=/root\n")


@pytest.mark.parametrize(
    ("argv", "code", "stdout"),
    [
        pytest.param(["printenv", "SVC_NODE_SERVICE_HOST"], 0, "10.104.191.116\n", id="one"),
        pytest.param(["printenv", "NOPE"], 1, "", id="missing"),
        pytest.param(["printenv", "SVC_NODE_SERVICE_HOST", "NOPE"], 1, "10.104.191.116\n",
                     id="one-of-two"),
        pytest.param(["hostname"], 0, "rs-node-web-ghqnq\n", id="hostname"),
        pytest.param(["hostname", "-i"], 0, "10.244.2.23 \n", id="hostname-i"),
    ],
)
def test_printenv_and_hostname(argv, code, stdout) -> None:
    result = run(argv, context(NODE, env=dict(_KUBERNETES)))
    assert (result.exit_code, result.stdout) == (code, stdout)


def test_env_with_assignments_runs_a_command() -> None:
    result = run(["env", "A=1", "printenv", "A"], context(NODE))
    assert result.stdout == "1\n"


# --- the shell language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "script", "code", "stdout"),
    [
        pytest.param(NODE, "echo a; echo b", 0, "a\nb\n", id="sequence"),
        pytest.param(NODE, "false && echo no || echo yes", 0, "yes\n", id="and-or"),
        pytest.param(NODE, "true && echo a && false; echo $?", 0, "a\n1\n", id="status"),
        pytest.param(NODE, "echo 'a  b' \"c  $HOSTNAME\" d\\ e", 0,
                     "a  b c  rs-node-web-ghqnq d e\n", id="quotes"),
        pytest.param(NODE, "X='1 2'; echo $X; echo \"$X\"", 0, "1 2\n1 2\n", id="split"),
        pytest.param(NODE, "echo ${NOPE:-default} ${HOSTNAME}", 0,
                     "default rs-node-web-ghqnq\n", id="braces"),
        pytest.param(NODE, "echo \"$(hostname) says\" `echo hi`", 0,
                     "rs-node-web-ghqnq says hi\n", id="command-substitution"),
        pytest.param(NODE, "echo 'a\\nb'", 0, "a\nb\n", id="dash-echo-interprets"),
        pytest.param(BUSYBOX, "echo -e 'a\\tb'", 0, "a\tb\n", id="busybox-echo-e"),
        pytest.param(NODE, "echo -n x; echo y", 0, "xy\n", id="echo-n"),
        pytest.param(NODE, "for i in 1 2 3; do echo $i; done", 0, "1\n2\n3\n", id="for"),
        pytest.param(NODE, "if [ -e /etc/hosts ]; then echo y; else echo n; fi", 0, "y\n",
                     id="if"),
        pytest.param(NODE, "exit 3; echo never", 3, "", id="exit"),
        pytest.param(NODE, "echo $((2 + 3 * 4))", 0, "14\n", id="arithmetic"),
        pytest.param(NODE, "echo hi | cat", 0, "hi\n", id="pipe"),
        pytest.param(NODE, "echo hi > /tmp/f; cat /tmp/f; echo x >> /tmp/f; cat /tmp/f", 0,
                     "hi\nhi\nx\n", id="redirect-and-append"),
        pytest.param(NODE, "ls /nope 2>/dev/null || echo gone", 0, "gone\n", id="stderr-null"),
        pytest.param(NODE, "ls /nope 2>&1", 2,
                     "ls: cannot access '/nope': No such file or directory\n", id="stderr-to-out"),
        pytest.param(NODE, "sh -c 'echo $0 $1' name one", 0, "name one\n", id="positional"),
    ],
)
def test_shell_language(image, script, code, stdout) -> None:
    result = sh(image, script)
    assert (result.exit_code, result.stdout) == (code, stdout)


@pytest.mark.parametrize(
    ("image", "script", "code", "stderr"),
    [
        pytest.param(NODE, "echo a > /nope/f", 2,
                     "sh: 1: cannot create /nope/f: Directory nonexistent\n", id="dash"),
        pytest.param(BUSYBOX, "echo a > /nope/f", 1,
                     "sh: can't create /nope/f: nonexistent directory\n", id="busybox"),
        pytest.param(NODE, "echo 'open", 2, "sh: 1: Syntax error: Unterminated quoted string\n",
                     id="dash-syntax"),
        pytest.param(NODE, "cd /nope", 2, "sh: 1: cd: can't cd to /nope\n", id="dash-cd"),
    ],
)
def test_shell_errors(image, script, code, stderr) -> None:
    result = sh(image, script)
    assert (result.exit_code, result.stderr) == (code, stderr)


def test_bash_echo_keeps_backslashes_without_e() -> None:
    assert run(["bash", "-c", "echo 'a\\nb'"], context(UBUNTU)).stdout == "a\\nb\n"


def test_sleep_reports_virtual_time() -> None:
    assert run(["sleep", "3"], context(NODE)).duration == 3.0
    assert sh(NODE, "sleep 2; sleep 1m").duration == 62.0
    assert run(["sleep", "infinity"], context(NODE)).hangs


def test_an_endless_loop_in_exec_hangs_with_its_output_so_far() -> None:
    result = sh(BUSYBOX, "while true; do echo tick; sleep 100; done")
    assert result.hangs
    assert result.stdout == "tick\n" * 4
    assert [at for _, _, at in result.chunks] == [0.0, 100.0, 200.0, 300.0]


def test_string_form_runs_through_the_images_sh() -> None:
    result = run("echo $HOSTNAME && ls /var/ready", context(BUSYBOX))
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "rs-node-web-ghqnq\n", "ls: /var/ready: No such file or directory\n")


def test_a_shell_less_image_cannot_run_a_string() -> None:
    result = run("ls", context("quay.io/coreos/kube-state-metrics:v1.8.0"))
    assert result.exit_code == 126
    assert '"sh": executable file not found' in result.stdout
