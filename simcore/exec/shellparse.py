"""Reading a shell command line: words, quotes, expansions, lists, if and while.

Only the part of POSIX sh the course's manifests and a student's `sh -c`
use: `;`, `&&`, `||`, `|`, newlines, single and double quotes, backslashes,
`$VAR`, `${VAR}`, `${VAR:-word}`, `$?`, `$(cmd)` and backquotes, `~`,
redirections (`>`, `>>`, `<`, `2>`, `2>&1`, `>&2`), `if/then/elif/else/fi`,
`while/until … do … done`, `for NAME in …; do … done` and `{ …; }`.
Anything else is a syntax error in the words of the shell that reads it.

A word is kept as segments (`lit`, `sq`, `dq`, `var`, `cmd`, `tilde`) so the
interpreter can expand and field-split exactly the unquoted parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KEYWORDS = {"if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for", "in",
            "{", "}", "!"}


class ShellSyntaxError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


# --- tokens -------------------------------------------------------------------


@dataclass
class Word:
    segments: list[tuple] = field(default_factory=list)
    line: int = 1

    def plain(self) -> str | None:
        """The text when the word is one unquoted literal (keywords, assignments)."""
        if len(self.segments) == 1 and self.segments[0][0] == "lit":
            text: str = self.segments[0][1]
            return text
        return None


@dataclass
class Op:
    text: str
    line: int = 1
    fd: int | None = None  # for redirections: the explicit descriptor, as in 2>


_OPERATORS = ("&&", "||", ">>", ">&", "<&", ";", "&", "|", ">", "<", "\n", "(", ")")


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.tokens: list[Word | Op] = []
        self.word: Word | None = None
        self.lit = ""

    def run(self) -> list[Word | Op]:
        while self.pos < len(self.text):
            self._step(self.text[self.pos])
        self._end_word()
        return self.tokens

    def _step(self, ch: str) -> None:
        if ch in " \t":
            self._end_word()
            self.pos += 1
        elif ch == "#" and self.word is None and not self.lit:
            while self.pos < len(self.text) and self.text[self.pos] != "\n":
                self.pos += 1
        elif ch == "\\":
            self._backslash()
        elif ch == "'":
            self._single()
        elif ch == '"':
            self._double()
        elif ch == "$" or ch == "`":
            self._flush_lit()
            self._current().segments.append(self._dollar() if ch == "$" else self._backquote())
        elif ch == "~" and self.word is None and not self.lit:
            self._current().segments.append(("tilde",))
            self.pos += 1
        elif self._operator_at():
            self._operator()
        else:
            self.lit += ch
            self.pos += 1

    def _operator_at(self) -> bool:
        return any(self.text.startswith(op, self.pos) for op in _OPERATORS)

    def _current(self) -> Word:
        if self.word is None:
            self.word = Word(line=self.line)
        return self.word

    def _flush_lit(self) -> None:
        if self.lit:
            self._current().segments.append(("lit", self.lit))
            self.lit = ""

    def _end_word(self) -> None:
        self._flush_lit()
        if self.word is not None:
            self.tokens.append(self.word)
            self.word = None

    def _operator(self) -> None:
        op = next(o for o in _OPERATORS if self.text.startswith(o, self.pos))
        fd = None
        if op in (">", ">>", "<", ">&", "<&") and self.word is None and self.lit.isdigit():
            fd, self.lit = int(self.lit), ""
        self._end_word()
        self.tokens.append(Op(op, self.line, fd))
        self.pos += len(op)
        if op == "\n":
            self.line += 1

    def _backslash(self) -> None:
        nxt = self.text[self.pos + 1: self.pos + 2]
        self.pos += 2
        if nxt == "\n":
            self.line += 1
            return
        self._flush_lit()
        self._current().segments.append(("sq", nxt))

    def _single(self) -> None:
        end = self.text.find("'", self.pos + 1)
        if end < 0:
            raise ShellSyntaxError("Unterminated quoted string", self.line)
        self._flush_lit()
        body = self.text[self.pos + 1: end]
        self.line += body.count("\n")
        self._current().segments.append(("sq", body))
        self.pos = end + 1

    def _double(self) -> None:
        self._flush_lit()
        self.pos += 1
        parts: list[tuple] = []
        buf = ""
        while True:
            if self.pos >= len(self.text):
                raise ShellSyntaxError("Unterminated quoted string", self.line)
            ch = self.text[self.pos]
            if ch == '"':
                self.pos += 1
                break
            if ch == "\\" and self.text[self.pos + 1: self.pos + 2] in ('$', '`', '"', "\\", "\n"):
                nxt = self.text[self.pos + 1]
                buf += "" if nxt == "\n" else nxt
                self.pos += 2
            elif ch in "$`":
                if buf:
                    parts.append(("lit", buf))
                    buf = ""
                parts.append(self._dollar() if ch == "$" else self._backquote())
            else:
                buf += ch
                self.line += ch == "\n"
                self.pos += 1
        if buf:
            parts.append(("lit", buf))
        self._current().segments.append(("dq", parts))

    def _dollar(self) -> tuple:
        text, start = self.text, self.pos + 1
        if text.startswith("((", start):
            end = text.find("))", start)
            self.pos = end + 2 if end >= 0 else len(text)
            return ("arith", text[start + 2: end if end >= 0 else len(text)])
        if text.startswith("(", start):
            end = _matching_paren(text, start)
            self.pos = end + 1
            return ("cmd", text[start + 1: end])
        if text.startswith("{", start):
            end = text.find("}", start)
            if end < 0:
                raise ShellSyntaxError("Missing '}'", self.line)
            self.pos = end + 1
            return _brace(text[start + 1: end])
        if start < len(text) and (text[start] in "?$#@*!-" or text[start].isdigit()):
            self.pos = start + 1
            return ("var", text[start], "", "")
        end = start
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        self.pos = end
        if end == start:
            return ("lit", "$")
        return ("var", text[start:end], "", "")

    def _backquote(self) -> tuple:
        end = self.text.find("`", self.pos + 1)
        if end < 0:
            raise ShellSyntaxError("EOF in backquote substitution", self.line)
        body = self.text[self.pos + 1: end]
        self.pos = end + 1
        return ("cmd", body)


def _brace(inner: str) -> tuple:
    for op in (":-", ":=", ":+", "-", "=", "+"):
        name, found, arg = inner.partition(op)
        if found and name and (name.replace("_", "a").isalnum()):
            return ("var", name, op, arg)
    return ("var", inner, "", "")


def _matching_paren(text: str, start: int) -> int:
    depth, pos, quote = 0, start, ""
    while pos < len(text):
        ch = text[pos]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    raise ShellSyntaxError("Missing ')'", 1)


def tokenize(text: str) -> list[Word | Op]:
    return _Lexer(text).run()


# --- the tree -------------------------------------------------------------------


@dataclass
class Redirect:
    op: str  # ">", ">>", "<", ">&"
    fd: int
    target: Word | None = None
    dup: int | None = None  # for 2>&1


@dataclass
class Simple:
    assigns: list[tuple[str, Word]]
    words: list[Word]
    redirects: list[Redirect]
    line: int


@dataclass
class If:
    branches: list[tuple[list, list]]  # (condition list, body list)
    otherwise: list | None


@dataclass
class Loop:
    condition: list
    body: list
    until: bool = False


@dataclass
class For:
    name: str
    items: list[Word]
    body: list


@dataclass
class Group:
    body: list


Command = Simple | If | Loop | For | Group


@dataclass
class Pipeline:
    commands: list[Command]
    negate: bool = False


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]]


# A list is [(AndOr, separator)], separator one of ";", "&", "\n".


class _Parser:
    def __init__(self, tokens: list[Word | Op]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Word | Op | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def keyword(self) -> str | None:
        tok = self.peek()
        if isinstance(tok, Word) and tok.plain() in KEYWORDS:
            return tok.plain()
        return None

    def line(self) -> int:
        tok = self.peek() or (self.tokens[-1] if self.tokens else None)
        return tok.line if tok else 1

    def take_op(self, *texts: str) -> Op | None:
        tok = self.peek()
        if isinstance(tok, Op) and tok.text in texts:
            self.pos += 1
            return tok
        return None

    def skip_newlines(self) -> None:
        while self.take_op("\n"):
            pass

    def expect_keyword(self, word: str) -> None:
        self.skip_newlines()
        if self.keyword() != word:
            raise ShellSyntaxError(self._unexpected(), self.line())
        self.pos += 1

    def _unexpected(self) -> str:
        tok = self.peek()
        if tok is None:
            return "end of file unexpected"
        text = tok.text if isinstance(tok, Op) else (tok.plain() or "word")
        return f'"{text}" unexpected' if text != "\n" else "newline unexpected"

    def parse_list(self, stop: tuple[str, ...] = ()) -> list:
        items: list = []
        while True:
            self.skip_newlines()
            tok = self.peek()
            if tok is None or self.keyword() in stop or (isinstance(tok, Op) and tok.text == ")"):
                return items
            andor = self.parse_andor()
            sep = self.take_op(";", "&", "\n")
            items.append((andor, sep.text if sep else ";"))
            if sep is None and self.peek() is not None and self.keyword() not in stop:
                raise ShellSyntaxError(self._unexpected(), self.line())

    def parse_andor(self) -> AndOr:
        first = self.parse_pipeline()
        rest = []
        while (op := self.take_op("&&", "||")) is not None:
            self.skip_newlines()
            rest.append((op.text, self.parse_pipeline()))
        return AndOr(first, rest)

    def parse_pipeline(self) -> Pipeline:
        negate = False
        if self.keyword() == "!":
            self.pos += 1
            negate = True
        commands = [self.parse_command()]
        while self.take_op("|"):
            self.skip_newlines()
            commands.append(self.parse_command())
        return Pipeline(commands, negate)

    def parse_command(self) -> Command:
        word = self.keyword()
        if word == "if":
            return self.parse_if()
        if word in ("while", "until"):
            return self.parse_loop(word == "until")
        if word == "for":
            return self.parse_for()
        if word == "{":
            self.pos += 1
            body = self.parse_list(("}",))
            self.expect_keyword("}")
            return Group(body)
        if word in KEYWORDS - {"!"}:
            raise ShellSyntaxError(f'"{word}" unexpected', self.line())
        return self.parse_simple()

    def parse_if(self) -> If:
        self.pos += 1
        branches = []
        otherwise = None
        while True:
            cond = self.parse_list(("then",))
            self.expect_keyword("then")
            body = self.parse_list(("elif", "else", "fi"))
            branches.append((cond, body))
            word = self.keyword()
            self.pos += 1
            if word == "elif":
                continue
            if word == "else":
                otherwise = self.parse_list(("fi",))
                self.expect_keyword("fi")
            elif word != "fi":
                raise ShellSyntaxError("end of file unexpected (expecting \"fi\")", self.line())
            return If(branches, otherwise)

    def parse_loop(self, until: bool) -> Loop:
        self.pos += 1
        cond = self.parse_list(("do",))
        self.expect_keyword("do")
        body = self.parse_list(("done",))
        if self.keyword() != "done":
            raise ShellSyntaxError("end of file unexpected (expecting \"done\")", self.line())
        self.pos += 1
        return Loop(cond, body, until)

    def parse_for(self) -> For:
        self.pos += 1
        name_tok = self.peek()
        if not isinstance(name_tok, Word) or not name_tok.plain():
            raise ShellSyntaxError("Bad for loop variable", self.line())
        self.pos += 1
        items: list[Word] = []
        if self.keyword() == "in":
            self.pos += 1
            while isinstance(item := self.peek(), Word) and self.keyword() != "do":
                items.append(item)
                self.pos += 1
        self.take_op(";", "\n")
        self.expect_keyword("do")
        body = self.parse_list(("done",))
        self.expect_keyword("done")
        return For(name_tok.plain() or "", items, body)

    def parse_simple(self) -> Simple:
        line = self.line()
        assigns: list[tuple[str, Word]] = []
        words: list[Word] = []
        redirects: list[Redirect] = []
        while True:
            tok = self.peek()
            if isinstance(tok, Op) and tok.text in (">", ">>", "<", ">&", "<&"):
                redirects.append(self._redirect(tok))
                continue
            if not isinstance(tok, Word) or (words == [] and assigns == [] and self.keyword()
                                             in ("then", "do", "done", "fi", "else", "elif", "}")):
                break
            self.pos += 1
            name = _assignment_name(tok)
            if name is not None and not words:
                assigns.append((name, _assignment_value(tok)))
            else:
                words.append(tok)
        if not words and not assigns and not redirects:
            raise ShellSyntaxError(self._unexpected(), line)
        return Simple(assigns, words, redirects, line)

    def _redirect(self, op: Op) -> Redirect:
        self.pos += 1
        target = self.peek()
        if not isinstance(target, Word):
            raise ShellSyntaxError(self._unexpected(), op.line)
        self.pos += 1
        default_fd = 0 if op.text in ("<", "<&") else 1
        fd = op.fd if op.fd is not None else default_fd
        if op.text in (">&", "<&") and (target.plain() or "").isdigit():
            return Redirect(">&", fd, None, int(target.plain() or "1"))
        return Redirect(op.text if op.text != ">&" else ">", fd, target)


def _assignment_name(word: Word) -> str | None:
    first = word.segments[0] if word.segments else None
    if not first or first[0] != "lit" or "=" not in first[1]:
        return None
    name: str = first[1].split("=", 1)[0]
    if name and (name[0].isalpha() or name[0] == "_") and name.replace("_", "a").isalnum():
        return name
    return None


def _assignment_value(word: Word) -> Word:
    first = word.segments[0]
    rest = first[1].split("=", 1)[1]
    segments = ([("lit", rest)] if rest else []) + word.segments[1:]
    return Word(segments, word.line)


def parse(text: str) -> list:
    parser = _Parser(tokenize(text))
    tree = parser.parse_list()
    if parser.peek() is not None:
        raise ShellSyntaxError(parser._unexpected(), parser.line())
    return tree
