"""The web terminal's kubectl command line, read as kubectl reads it, against an allowlist.

What: `check(words)` reads the words of a command line the way kubectl's own
flag parser does (spf13/pflag under cobra) and returns them rewritten in one
unambiguous spelling, or refuses them. pflag's rules, from its `flag.go`:
- a word that is `-` alone, empty, or does not start with `-` is an argument;
  `--` ends the flags (the rest are arguments, `exec`'s command in the pod);
- `--name=value`, or `--name value` unless the flag has a default for a bare
  `--name` (NoOptDefVal: `true` for booleans, `background` for `--cascade`);
  names are exact, with `_` read as `-` (kubectl's WordSepNormalizeFunc):
  pflag accepts no abbreviation (`--all-namespace` is an unknown flag);
- `-abc` is a run of one-letter flags: a flag with a NoOptDefVal takes it and
  the run goes on (`-Aowide` is `-A`, then `-o` with the rest, `wide`); `-x=v`
  gives `x` the rest after `=`; any other flag takes the rest of the word
  (`-Rf/etc/passwd`) or, at the end of the word, the next word (`-Ao wide`).
Cobra finds the subcommand by skipping flags with the root's flags, so before
the command only kubectl's global flags are accepted here.

Why an allowlist: the terminal runs the server's kubectl for anyone who can open
the page. Every subcommand and every flag it runs is listed below with the
values it may take; anything else (a file-reading flag such as `-f PATH`, `-k`,
`-o jsonpath-file=`, or one that changes the server or identity such as `-s`,
`--kubeconfig`, `--token`) is refused before kubectl starts. `-f` takes only
`-`: the text pasted in the page, sent on kubectl's stdin.

Trade-off: kubectl's harmless but unlisted flags are refused too, and the table
must follow kubectl's (tests/kubectl/test_web_terminal.py checks each row
against the bundled kubectl's own flag definitions). What kubectl runs is the
rewritten line, every flag as `--name=value`: even a row that misjudges whether
a flag takes a value cannot make kubectl read a later word differently from
how it was checked. The sandbox (`kubectlsandbox`) holds even if this does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from clusterviz.web import Refused

# `-o` formats that print from what the server sent; the `*-file` ones read a file
OUTPUT_FORMATS = frozenset({
    "json", "yaml", "kyaml", "name", "wide", "go-template", "template", "jsonpath",
    "jsonpath-as-json", "custom-columns", "plaintext", "plaintext-openapiv2"})
# kubectl's flags that would name another server, identity or kubeconfig, or read or
# write a server file: refused with a message that says so (every unlisted flag is
# refused too, with the list of those allowed)
ESCAPES = frozenset({
    "kubeconfig", "server", "token", "context", "cluster", "user", "username", "password",
    "as", "as-group", "as-uid", "as-user-extra", "client-certificate", "client-key",
    "certificate-authority", "tls-server-name", "insecure-skip-tls-verify", "proxy-url",
    "kuberc", "cache-dir", "filename", "kustomize", "recursive", "raw", "edit", "prune",
    "prune-allowlist", "from-file", "from-env-file", "env-file", "log-file", "log-dir",
    "log-flush-frequency", "profile", "profile-output", "vmodule",
    "insecure-skip-tls-verify-backend", "local"})
SHORT_ESCAPES = frozenset("sfkR")
TRUE_WORDS = ("1", "t", "T", "TRUE", "true", "True")  # Go's strconv.ParseBool


def _output(value: str) -> str | None:
    if value.split("=", 1)[0] in OUTPUT_FORMATS:
        return None
    return str(_("refused: -o %(value)s is not an output format this terminal prints (no "
                 "*-file formats: they read a file on the server); it prints: %(formats)s") % {
        "value": value, "formats": ", ".join(sorted(OUTPUT_FORMATS))})


def _stdin_only(value: str) -> str | None:
    if value == "-":
        return None
    return str(_("refused: -f %(value)s would read a path on the server; paste the manifest "
                 "in the box below and use -f -") % {"value": value or "''"})


Check = Callable[[str], str | None]  # a value's refusal message, or None


@dataclass(frozen=True)
class Flag:
    name: str  # the long name, as kubectl defines it
    short: str = ""
    no_opt: str = ""  # pflag's NoOptDefVal: what a bare `--name` means ("" = needs a value)
    check: Check | None = None


def _bool(name: str, short: str = "") -> Flag:
    return Flag(name, short, "true")


def _value(name: str, short: str = "", check: Check | None = None) -> Flag:
    return Flag(name, short, "", check)


GLOBAL = (_value("namespace", "n"), _value("v", "v"), _value("request-timeout"),
          _bool("help", "h"), _bool("warnings-as-errors"))
SELECTOR = _value("selector", "l")
STDIN = _value("filename", "f", _stdin_only)
DRY_RUN = Flag("dry-run", no_opt="unchanged")
PRINT = (_value("output", "o", _output), _value("template"),
         _bool("allow-missing-template-keys"), _bool("show-managed-fields"))
ALL_NS = _bool("all-namespaces", "A")
FIELD_MANAGER = _value("field-manager")
TIMEOUT = _value("timeout")


@dataclass(frozen=True)
class Verb:
    flags: tuple[Flag, ...]
    takes_args: bool = True  # False: a positional word would be a subcommand (apply, create)
    subcommands: dict[str, Verb] = field(default_factory=dict)


_ROLLOUT_PRINT = (*PRINT, SELECTOR, STDIN)
COMMANDS: dict[str, Verb] = {
    "get": Verb((*PRINT, ALL_NS, SELECTOR, STDIN, _value("chunk-size"), _value("field-selector"),
                 _bool("ignore-not-found"), _value("label-columns", "L"), _bool("no-headers"),
                 _bool("output-watch-events"), _bool("server-print"), _bool("show-kind"),
                 _bool("show-labels"), _value("sort-by"), _value("subresource"),
                 _bool("watch", "w"), _bool("watch-only"))),
    "describe": Verb((ALL_NS, SELECTOR, STDIN, _value("chunk-size"), _bool("show-events"))),
    "apply": Verb((*PRINT, SELECTOR, STDIN, DRY_RUN, FIELD_MANAGER, TIMEOUT, _bool("all"),
                   Flag("cascade", no_opt="background"), _bool("force"),
                   _bool("force-conflicts"), _value("grace-period"), _bool("openapi-patch"),
                   _bool("overwrite"), _bool("server-side"), _value("subresource"),
                   Flag("validate", no_opt="strict"), _bool("wait")), takes_args=False),
    "create": Verb((*PRINT, SELECTOR, STDIN, DRY_RUN, FIELD_MANAGER, _bool("save-config"),
                    Flag("validate", no_opt="strict")), takes_args=False),
    "delete": Verb((_value("output", "o", _output), ALL_NS, SELECTOR, STDIN, DRY_RUN, TIMEOUT,
                    _bool("all"), Flag("cascade", no_opt="background"),
                    _value("field-selector"), _bool("force"), _value("grace-period"),
                    _bool("ignore-not-found"), _bool("now"), _bool("wait"))),
    "scale": Verb((*PRINT, SELECTOR, STDIN, DRY_RUN, TIMEOUT, _bool("all"),
                   _value("current-replicas"), _value("replicas"), _value("resource-version"))),
    "exec": Verb((_value("container", "c"), _value("pod-running-timeout"),
                  _bool("quiet", "q"), _bool("stdin", "i"), _bool("tty", "t"))),
    "logs": Verb((SELECTOR, _bool("all-containers"), _bool("all-pods"),
                  _value("container", "c"), _bool("follow", "f"), _bool("ignore-errors"),
                  _value("limit-bytes"), _value("max-log-requests"),
                  _value("pod-running-timeout"), _bool("prefix"), _bool("previous", "p"),
                  _value("since"), _value("since-time"), _value("tail"), _bool("timestamps"))),
    # explain's -R is --recursive over a schema's fields, not over directories
    "explain": Verb((_value("output", "o", _output), _value("api-version"),
                     _value("max-depth"), _bool("recursive", "R"))),
    "api-resources": Verb((_value("output", "o", _output), _value("api-group"),
                           _bool("cached"), _value("categories"), _bool("namespaced"),
                           _bool("no-headers"), _bool("show-managed-fields"), _value("sort-by"),
                           _value("verbs"))),
    "rollout": Verb((), subcommands={
        "status": Verb((SELECTOR, STDIN, TIMEOUT, _value("revision"), _bool("watch", "w"))),
        "history": Verb((*_ROLLOUT_PRINT, _value("revision"))),
        "restart": Verb((*_ROLLOUT_PRINT, FIELD_MANAGER)),
        "undo": Verb((*_ROLLOUT_PRINT, DRY_RUN, _value("to-revision"))),
        "pause": Verb((*_ROLLOUT_PRINT, FIELD_MANAGER)),
        "resume": Verb((*_ROLLOUT_PRINT, FIELD_MANAGER)),
    }),
    "label": Verb((*PRINT, ALL_NS, SELECTOR, STDIN, DRY_RUN, FIELD_MANAGER, _bool("all"),
                   _value("field-selector"), _bool("list"), _bool("overwrite"),
                   _value("resource-version"))),
    "annotate": Verb((*PRINT, ALL_NS, SELECTOR, STDIN, DRY_RUN, FIELD_MANAGER, _bool("all"),
                      _value("field-selector"), _bool("list"), _bool("overwrite"),
                      _value("resource-version"))),
    "expose": Verb((*PRINT, STDIN, DRY_RUN, FIELD_MANAGER, _value("cluster-ip"),
                    _value("external-ip"), _value("labels", "l"), _value("load-balancer-ip"),
                    _value("name"), _value("override-type"), _value("overrides"),
                    _value("port"), _value("protocol"), _bool("save-config"),
                    _value("selector"), _value("session-affinity"), _value("target-port"),
                    _value("type"))),
    "run": Verb((*PRINT, DRY_RUN, FIELD_MANAGER, TIMEOUT, _value("annotations"),
                 _bool("attach"), Flag("cascade", no_opt="background"), _bool("command"),
                 _value("env"), _bool("expose"), _bool("force"), _value("grace-period"),
                 _value("image"), _value("image-pull-policy"), _value("labels", "l"),
                 _bool("leave-stdin-open"), _value("override-type"), _value("overrides"),
                 _value("pod-running-timeout"), _value("port"), _bool("privileged"),
                 _bool("quiet", "q"), _value("restart"), _bool("rm"), _bool("save-config"),
                 _bool("stdin", "i"), _bool("tty", "t"), _bool("wait"))),
    "version": Verb((_value("output", "o", _output), _bool("client"))),
}


@dataclass
class Parsed:
    path: list[str]  # the command: ["get"], ["rollout", "status"]
    args: list[str]  # what kubectl runs, every flag spelled `--name=value`
    values: dict[str, list[str]]  # each flag's values by long name, as given

    def is_true(self, name: str) -> bool:
        """The flag's last value read as Go's strconv.ParseBool reads `true`."""
        return bool(self.values.get(name)) and self.values[name][-1] in TRUE_WORDS


class _Reader:
    """One pass over the words, switching flag tables as the command path grows."""

    def __init__(self, words: list[str]) -> None:
        self.words, self.i = words, 0
        self.verb: Verb | None = None
        self.parsed = Parsed([], [], {})

    def flags(self) -> tuple[Flag, ...]:
        return GLOBAL + (self.verb.flags if self.verb else ())

    def where(self) -> str:
        if not self.parsed.path:
            return str(_("before the command (only %(flags)s)") % {"flags": _names(GLOBAL)})
        return str(_("for kubectl %(command)s (it allows: %(flags)s)") % {
            "command": " ".join(self.parsed.path), "flags": _names(self.flags())})

    def run(self) -> Parsed:
        while self.i < len(self.words):
            word = self.words[self.i]
            self.i += 1
            if word == "--":
                self._dash()
                break
            if len(word) < 2 or not word.startswith("-"):
                self._argument(word)
            elif word.startswith("--"):
                self._long(word)
            else:
                self._shorts(word)
        self._complete()
        return self.parsed

    def _dash(self) -> None:
        if not self.parsed.path:
            raise Refused(_("type the command before --, for example: kubectl exec POD -- "
                            "curl -s http://SERVICE"))
        self.parsed.args += ["--", *self.words[self.i:]]

    def _argument(self, word: str) -> None:
        path = self.parsed.path
        self.parsed.args.append(word)
        if self.verb is None and not path:
            self.verb = _command(word)
        elif self.verb is not None and self.verb.subcommands and len(path) == 1:
            self.verb = _subcommand(path[0], self.verb, word)
        elif self.verb is not None and not self.verb.takes_args:
            raise Refused(_('refused: "kubectl %(command)s %(word)s" is not a command this '
                            "terminal runs; it runs kubectl %(command)s -f - (paste the manifest "
                            "below)") % {"command": path[0], "word": word})
        else:
            return
        path.append(word)

    def _long(self, word: str) -> None:
        name = word[2:]
        if not name or name[0] in "-=":
            raise Refused(_("error: bad flag syntax: %(word)s") % {"word": word})
        name, eq, value = name.partition("=")
        flag = self._find(name.replace("_", "-"))
        if not eq:
            value = flag.no_opt or self._next_word(f"--{name}")
        self._set(flag, value)

    def _shorts(self, word: str) -> None:
        rest = word[1:]
        while rest:
            letter, rest = rest[0], rest[1:]
            flag = self._find_short(letter)
            if len(rest) > 1 and rest[0] == "=":
                value, rest = rest[1:], ""
            elif flag.no_opt:
                value = flag.no_opt
            elif rest:
                value, rest = rest, ""
            else:
                value = self._next_word(f"'{letter}' in {word}")
            self._set(flag, value)

    def _next_word(self, spelled: str) -> str:
        if self.i >= len(self.words):
            raise Refused(_("error: flag needs an argument: %(flag)s") % {"flag": spelled})
        self.i += 1
        return self.words[self.i - 1]

    def _find(self, name: str) -> Flag:
        for flag in self.flags():
            if flag.name == name:
                return flag
        raise Refused(self._refusal(f"--{name}", name in ESCAPES))

    def _find_short(self, letter: str) -> Flag:
        for flag in self.flags():
            if flag.short == letter:
                return flag
        raise Refused(self._refusal(f"-{letter}", letter in SHORT_ESCAPES))

    def _refusal(self, spelled: str, escape: bool) -> str:
        if escape:
            return str(_("refused: %(flag)s is not allowed here; this terminal always talks "
                         "to this cluster as the student and reads no files on the server") % {
                "flag": spelled})
        return str(_("refused: %(flag)s is not a flag this terminal allows %(where)s") % {
            "flag": spelled, "where": self.where()})

    def _set(self, flag: Flag, value: str) -> None:
        message = flag.check(value) if flag.check else None
        if message:
            raise Refused(message)
        self.parsed.values.setdefault(flag.name, []).append(value)
        self.parsed.args.append(f"--{flag.name}={value}")

    def _complete(self) -> None:
        if self.verb is None:
            raise Refused(_("type a kubectl command, for example: kubectl get pods"))
        if self.verb.subcommands:
            raise Refused(_("kubectl %(command)s needs one of: %(subs)s") % {
                "command": self.parsed.path[0], "subs": ", ".join(self.verb.subcommands)})


def _names(flags: tuple[Flag, ...]) -> str:
    return ", ".join(f"-{f.short}/--{f.name}" if f.short else f"--{f.name}" for f in flags)


def _command(word: str) -> Verb:
    if word in COMMANDS:
        return COMMANDS[word]
    raise Refused(_('refused: "%(word)s" is not a command this terminal runs (no plugins or '
                    "other commands here); it runs: %(commands)s") % {
        "word": word, "commands": ", ".join(COMMANDS)})


def _subcommand(parent: str, verb: Verb, word: str) -> Verb:
    if word in verb.subcommands:
        return verb.subcommands[word]
    raise Refused(_('refused: "kubectl %(parent)s %(word)s" is not a command this terminal '
                    "runs; kubectl %(parent)s here is one of: %(subs)s") % {
        "parent": parent, "word": word, "subs": ", ".join(verb.subcommands)})


def check(words: list[str]) -> Parsed:
    """`words` (after `kubectl`) as kubectl would read them, rewritten; Refused otherwise."""
    return _Reader(words).run()
