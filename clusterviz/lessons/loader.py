"""Lessons as data: `data/<slug>.yaml` with its manifests under `data/manifests/`.

A lesson file is read once and checked whole before anything uses it: every
step has a title and an explanation, every manifest it names exists and
parses, every request has a source the runner knows and placeholders it can
fill. A mistake in a lesson is a `LessonError` naming the step, raised when
the file loads (the tests load every lesson), never halfway through a class.
The lesson's words (title, explain, observe) come in every language the
pages speak: `{ko: ..., en: ...}`, or one string where the words are the
same in both (a slide titled "NodePort"). The lesson names the language it
is taught in (`language: ko`, the lecture's), which its pages default to
and which a missing translation falls back to; a text without the lesson's
own language is a `LessonError`.

The trade-off: the checks are about shape only; whether the manifests apply
cleanly and the commands run is for the tests, which replay each lesson on
a fresh simulated cluster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from clusterviz.lessons import checks
from simcore.simulation import parse_documents

DATA = Path(__file__).resolve().parent / "data"
MANIFESTS = DATA / "manifests"
PLACEHOLDER = re.compile(r"\{(clusterip|podip|nodeip|nodeport):([^{}]+)\}")
PICKS = ("oldest", "newest", "all")
MAX_FIRE = 100  # a fired request runs in one save of the cluster (fire.MAX_CHUNK)
LANGUAGES = ("ko", "en")  # settings.LANGUAGES, kept here so the loader needs no Django


class Text(str):
    """A lesson's text: the string in the lesson's own language, the others by `in_`."""

    translations: dict[str, str]

    def __new__(cls, translations: dict[str, str], language: str) -> Text:
        text = super().__new__(cls, translations[language])
        text.translations = translations
        return text

    def in_(self, language: str) -> str:
        return self.translations.get(language) or str(self)


class LessonError(ValueError):
    """A lesson file that does not hold together; the text names the step."""


@dataclass(frozen=True)
class Source:
    kind: str  # pod, node, client, kubectl
    selector: str = ""  # the label selector of a pod source, the name of a node
    pick: str = "oldest"

    def describe(self, client: str) -> str:
        if self.kind == "pod":
            picks = {"oldest": _("oldest"), "newest": _("newest")}
            return str(_("a pod with %(selector)s (%(pick)s)") % {
                "selector": self.selector, "pick": picks.get(self.pick, self.pick)})
        if self.kind == "node":
            return str(_("node %(name)s") % {"name": self.selector})
        if self.kind == "client":
            return str(_("outside client %(ip)s") % {"ip": client})
        return "kubectl"


@dataclass(frozen=True)
class Request:
    source: Source
    run: str
    exit: int = 0  # the exit code the lesson expects (a timeout is the point sometimes)
    wait: bool = False  # run only once the step's check holds (what it shows needs time)
    fire: int = 0  # run it this many times and count the answers per pod (0: once)


@dataclass(frozen=True)
class Manifest:
    file: str
    create: bool

    @property
    def text(self) -> str:
        return (MANIFESTS / self.file).read_text()

    @property
    def command(self) -> str:
        return f"kubectl {'create' if self.create else 'apply'} -f {self.file}"


@dataclass(frozen=True)
class Deletion:
    selector: str
    pick: str


@dataclass(frozen=True)
class Step:
    number: int
    title: Text
    explain: Text
    observe: Text | str = ""
    apply: tuple[Manifest, ...] = ()
    delete: tuple[Deletion, ...] = ()
    requests: tuple[Request, ...] = ()
    kubectl: tuple[str, ...] = ()
    check: tuple[checks.Condition, ...] = ()  # what the cluster shows when Observe holds


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: Text
    preset: str
    language: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def step(self, number: int) -> Step:
        if not 1 <= number <= len(self.steps):
            raise LessonError(f"{self.slug} has steps 1 to {len(self.steps)}, not {number}")
        return self.steps[number - 1]


def lesson_slugs() -> list[str]:
    return sorted(p.stem for p in DATA.glob("*.yaml"))


@cache
def load(slug: str) -> Lesson:
    """The lesson `data/<slug>.yaml`, checked; a `LessonError` says what is wrong."""
    if slug not in lesson_slugs():
        raise LessonError(f"no lesson {slug!r}; there are: {', '.join(lesson_slugs())}")
    raw = yaml.safe_load((DATA / f"{slug}.yaml").read_text())
    return parse(raw, slug)


def parse(raw: object, slug: str) -> Lesson:
    if not isinstance(raw, dict) or not isinstance(raw.get("steps"), list) or not raw["steps"]:
        raise LessonError(f"{slug}: a lesson is a mapping with a non-empty list of steps")
    language = str(raw.get("language") or "en")
    if language not in LANGUAGES:
        raise LessonError(f"{slug}: language must be one of {', '.join(LANGUAGES)}, "
                          f"not {language!r}")
    steps = tuple(_step(i + 1, s, language) for i, s in enumerate(raw["steps"]))
    return Lesson(slug=str(raw.get("slug") or slug),
                  title=_text(slug, "title", raw.get("title") or slug, language),
                  preset=str(raw.get("preset") or "lecture"), language=language, steps=steps)


def _text(where: str, key: str, raw: object, language: str) -> Text:
    """`raw` as a Text: one string for every language, or a mapping per language."""
    if isinstance(raw, str | int | float):
        raw = {language: raw}
    if not isinstance(raw, dict):
        raise LessonError(f"{where}: {key} is a string or a mapping of language to string")
    unknown = sorted(str(k) for k in raw if k not in LANGUAGES)
    if unknown:
        raise LessonError(f"{where}: {key} has no language {', '.join(unknown)}; "
                          f"the languages are {', '.join(LANGUAGES)}")
    texts = {str(k): str(v or "").strip() for k, v in raw.items()}
    if not texts.get(language):
        raise LessonError(f"{where}: {key} has no {language} text, the lesson's language")
    return Text(texts, language)


def _step(number: int, raw: object, language: str) -> Step:
    where = f"step {number}"
    if not isinstance(raw, dict):
        raise LessonError(f"{where}: a step is a mapping")
    for key in ("title", "explain"):
        if not raw.get(key):
            raise LessonError(f"{where}: {key} is required")
    observe = raw.get("observe")
    step = Step(number=number, title=_text(where, "title", raw["title"], language),
                explain=_text(where, "explain", raw["explain"], language),
                observe=_text(where, "observe", observe, language) if observe else "",
                apply=tuple(_manifest(where, m) for m in raw.get("apply") or ()),
                delete=tuple(_deletion(where, d) for d in raw.get("delete") or ()),
                requests=tuple(_request(where, r) for r in raw.get("requests") or ()),
                kubectl=tuple(str(k) for k in raw.get("kubectl") or ()),
                check=_check(where, raw.get("check")))
    if any(r.wait for r in step.requests) and not step.check:
        raise LessonError(f"{where}: a request waits for the step's check, and it has none")
    return step


def _check(where: str, raw: object) -> tuple[checks.Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise LessonError(f"{where}: check is a list of conditions")
    try:
        return tuple(checks.parse(c) for c in raw)
    except checks.CheckError as exc:
        raise LessonError(f"{where}: {exc}") from None


def _manifest(where: str, raw: object) -> Manifest:
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("create", "apply"):
        raise LessonError(f"{where}: a manifest is {{create: file}} or {{apply: file}}")
    verb, name = next(iter(raw.items()))
    path = MANIFESTS / str(name)
    if not path.is_file() or path.parent != MANIFESTS:
        raise LessonError(f"{where}: no manifest {name} in {MANIFESTS.name}/")
    try:
        parse_documents(path.read_text())
    except yaml.YAMLError as exc:
        raise LessonError(f"{where}: {name} is not YAML: {exc}") from None
    return Manifest(file=str(name), create=verb == "create")


def _deletion(where: str, raw: object) -> Deletion:
    if not isinstance(raw, dict) or not raw.get("pod"):
        raise LessonError(f"{where}: a deletion is {{pod: <label selector>, pick: ...}}")
    return Deletion(selector=str(raw["pod"]), pick=_pick(where, raw))


def _pick(where: str, raw: dict) -> str:
    pick = str(raw.get("pick") or "oldest")
    if pick not in PICKS:
        raise LessonError(f"{where}: pick must be one of {', '.join(PICKS)}, not {pick!r}")
    return pick


def _request(where: str, raw: object) -> Request:
    if not isinstance(raw, dict) or not str(raw.get("run") or "").strip():
        raise LessonError(f"{where}: a request is {{from: ..., run: <command>}}")
    run = str(raw["run"])
    source = _source(where, raw.get("from"))
    if source.kind == "kubectl" and not run.startswith("kubectl get "):
        raise LessonError(f"{where}: a kubectl request runs `kubectl get ...` only")
    leftover = PLACEHOLDER.sub("", run)
    if re.search(r"\{(clusterip|podip|nodeip|nodeport)\b", leftover):
        raise LessonError(f"{where}: a placeholder in {run!r} is malformed")
    fire = raw.get("fire") or 0
    if not isinstance(fire, int) or not 0 <= fire <= MAX_FIRE:
        raise LessonError(f"{where}: fire is a count of 1 to {MAX_FIRE} runs")
    if fire and source.kind == "kubectl":
        raise LessonError(f"{where}: fire repeats a request to a Service, not kubectl")
    return Request(source=source, run=run, exit=int(raw.get("exit") or 0),
                   wait=bool(raw.get("wait")), fire=fire)


def _source(where: str, raw: object) -> Source:
    if raw in ("client", "kubectl"):
        return Source(kind=str(raw))
    if isinstance(raw, dict) and raw.get("pod"):
        if raw.get("pick") == "all":
            raise LessonError(f"{where}: a request runs in one pod; pick oldest or newest")
        return Source(kind="pod", selector=str(raw["pod"]), pick=_pick(where, raw))
    if isinstance(raw, dict) and raw.get("node"):
        return Source(kind="node", selector=str(raw["node"]))
    raise LessonError(f"{where}: from must be client, kubectl, {{pod: selector}} or "
                      f"{{node: name}}, not {raw!r}")
