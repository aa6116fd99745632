"""Precedence-climbing parser from tokens to the syntax tree in :mod:`nodes`."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from . import nodes as n
from .errors import FeelSyntaxError
from .lexer import Token, tokenize
from .names import MULTI_WORD_FUNCTIONS, MULTI_WORD_TYPES

# Binding powers: a higher number binds tighter.
_OR, _AND, _COMPARISON, _ADDITIVE, _MULTIPLICATIVE, _POWER, _UNARY = 10, 20, 30, 40, 50, 60, 70

_COMPARISON_OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
_RESERVED = frozenset(
    {
        "true",
        "false",
        "null",
        "and",
        "or",
        "if",
        "then",
        "else",
        "for",
        "in",
        "return",
        "some",
        "every",
        "satisfies",
        "between",
        "instance",
        "function",
    }
)

_INFIX_WORDS = frozenset({"and", "or", "then", "else", "return", "satisfies", "in", "between", "instance"})
_PROPERTY_SECOND_WORDS = {"time": "offset", "start": "included", "end": "included"}

T = TypeVar("T")


def parse_expression(source: str) -> n.Node:
    parser = _Parser(source)
    node = parser.guarded(parser.expression)
    parser.expect_end()
    return node


def parse_unary_tests(source: str) -> n.UnaryTests:
    parser = _Parser(source)
    tests = parser.guarded(parser.unary_tests)
    parser.expect_end()
    return tests


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0
        # While reading the end of "]1..10[", a "[" that no expression follows closes the range.
        self.in_range_end = False

    # --- token helpers -------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "eof":
            self.index += 1
        return token

    def at_op(self, *operators: str) -> bool:
        return self.token.kind == "op" and self.token.text in operators

    def at_word(self, *words: str, token: Token | None = None) -> bool:
        token = token or self.token
        return token.kind == "name" and not token.quoted and token.text in words

    def fail(self, expected: str, token: Token | None = None) -> FeelSyntaxError:
        token = token or self.token
        return FeelSyntaxError(self.source, token.start, expected, token.describe())

    def starts_expression(self, token: Token) -> bool:
        if token.kind == "op":
            return token.text in ("(", "[", "]", "{", "@", "-", "<", "<=", ">", ">=")
        if token.kind == "name" and not token.quoted:
            return token.text not in _INFIX_WORDS
        return token.kind != "eof"

    def expect_op(self, operator: str) -> Token:
        if not self.at_op(operator):
            raise self.fail(f"'{operator}'")
        return self.advance()

    def expect_word(self, word: str) -> Token:
        if not self.at_word(word):
            raise self.fail(f"'{word}'")
        return self.advance()

    def expect_end(self) -> None:
        if self.token.kind != "eof":
            raise self.fail("end of input")

    def guarded(self, parse: Callable[[], T]) -> T:
        try:
            return parse()
        except RecursionError:
            raise FeelSyntaxError(
                self.source, self.token.start, "a less deeply nested expression", self.token.describe()
            ) from None

    # --- expressions -----------------------------------------------------------------------

    def expression(self, min_power: int = 0) -> n.Node:
        left = self.prefix()
        while True:
            token = self.token
            if token.kind == "op":
                operator = token.text
                if operator in ("+", "-") and min_power < _ADDITIVE:
                    self.advance()
                    left = n.Arithmetic(operator, left, self.expression(_ADDITIVE))  # type: ignore[arg-type]
                elif operator in ("*", "/") and min_power < _MULTIPLICATIVE:
                    self.advance()
                    left = n.Arithmetic(operator, left, self.expression(_MULTIPLICATIVE))  # type: ignore[arg-type]
                elif operator == "**" and min_power < _POWER:
                    self.advance()
                    left = n.Arithmetic("**", left, self.expression(_POWER))
                elif operator in _COMPARISON_OPERATORS and min_power < _COMPARISON:
                    self.advance()
                    right = self.expression(_COMPARISON)
                    left = n.Comparison(operator, left, right)  # type: ignore[arg-type]
                else:
                    return left
            elif token.kind == "name" and not token.quoted:
                word = token.text
                if word == "or" and min_power < _OR:
                    self.advance()
                    left = n.Or(left, self.expression(_OR))
                elif word == "and" and min_power < _AND:
                    self.advance()
                    left = n.And(left, self.expression(_AND))
                elif word == "between" and min_power < _COMPARISON:
                    self.advance()
                    low = self.expression(_COMPARISON)
                    self.expect_word("and")
                    left = n.Between(left, low, self.expression(_COMPARISON))
                elif word == "in" and min_power < _COMPARISON:
                    self.advance()
                    left = n.In(left, self.in_tests())
                elif word == "instance" and min_power < _COMPARISON:
                    self.advance()
                    self.expect_word("of")
                    left = n.InstanceOf(left, self.type_spec())
                else:
                    return left
            else:
                return left

    def prefix(self) -> n.Node:
        if self.at_op("-"):
            self.advance()
            return n.Negate(self.prefix())
        return self.postfix(self.primary())

    def postfix(self, node: n.Node) -> n.Node:
        while True:
            if self.at_op("."):
                self.advance()
                node = n.Path(node, self.property_name())
            elif self.at_op("[") and not (self.in_range_end and not self.starts_expression(self.peek())):
                self.advance()
                condition = self.expression()
                self.expect_op("]")
                node = n.Filter(node, condition)
            elif self.at_op("("):
                node = self.call(node)
            else:
                return node

    def property_name(self) -> str:
        token = self.token
        if token.kind != "name":
            raise self.fail("a name")
        self.advance()
        # Built-in properties whose names have a space: "time offset", "start included", "end included".
        follower = _PROPERTY_SECOND_WORDS.get(token.text)
        if follower is not None and self.at_word(follower):
            self.advance()
            return f"{token.text} {follower}"
        return token.text

    def call(self, function: n.Node) -> n.Node:
        self.expect_op("(")
        positional: list[n.Node] = []
        named: list[tuple[str, n.Node]] = []
        if not self.at_op(")"):
            while True:
                name = self.named_argument_name()
                if name is not None:
                    if positional:
                        raise self.fail("a positional argument")
                    named.append((name, self.expression()))
                else:
                    if named:
                        raise self.fail("a named argument")
                    positional.append(self.expression())
                if not self.at_op(","):
                    break
                self.advance()
        self.expect_op(")")
        return n.Call(function, tuple(positional), tuple(named) if named else None)

    def named_argument_name(self) -> str | None:
        """Consume ``name:`` (the name may have several words) if the argument is named."""
        offset = 0
        while self.peek(offset).kind == "name":
            offset += 1
        if offset == 0 or not (self.peek(offset).kind == "op" and self.peek(offset).text == ":"):
            return None
        words = [self.advance().text for _ in range(offset)]
        self.advance()
        return " ".join(words)

    def primary(self) -> n.Node:
        token = self.token
        if token.kind == "number":
            self.advance()
            return n.Literal(Decimal(token.text))
        if token.kind == "string":
            self.advance()
            return n.Literal(token.text)
        if token.kind == "name":
            return self.word()
        if token.kind == "op":
            operator = token.text
            if operator == "(":
                return self.parenthesized()
            if operator == "[":
                return self.bracketed()
            if operator == "]":
                self.advance()
                return self.range_rest(False, self.expression())
            if operator == "{":
                return self.context()
            if operator == "@":
                self.advance()
                if self.token.kind != "string":
                    raise self.fail("a string after '@'")
                return n.TemporalLiteral(self.advance().text)
            if operator in ("<", "<=", ">", ">="):
                return self.unary_comparison()
        raise self.fail("an expression")

    def word(self) -> n.Node:
        token = self.token
        if token.quoted:
            self.advance()
            return n.Name(token.text)
        text = token.text
        if text in ("true", "false"):
            self.advance()
            return n.Literal(text == "true")
        if text == "null":
            self.advance()
            return n.Literal(None)
        if text == "if":
            return self.if_expression()
        if text == "for":
            return self.for_expression()
        if text in ("some", "every"):
            return self.quantified()
        if text == "function":
            return self.function_definition()
        function_name = self.multi_word_function()
        if function_name is not None:
            return n.Name(function_name)
        if text in _RESERVED:
            raise self.fail("an expression")
        self.advance()
        return n.Name(text)

    def multi_word_function(self) -> str | None:
        """Match the longest built-in name with spaces that is called here, e.g. ``date and time(``."""
        for words in MULTI_WORD_FUNCTIONS:
            count = len(words)
            if all(self.at_word(word, token=self.peek(i)) for i, word in enumerate(words)):
                follower = self.peek(count)
                if follower.kind == "op" and follower.text == "(":
                    self.index += count
                    return " ".join(words)
        return None

    def parenthesized(self) -> n.Node:
        self.expect_op("(")
        inner = self.expression()
        if self.at_op(".."):
            return self.range_rest(False, inner)
        self.expect_op(")")
        return inner

    def bracketed(self) -> n.Node:
        self.expect_op("[")
        if self.at_op("]"):
            self.advance()
            return n.ListLiteral(())
        first = self.expression()
        if self.at_op(".."):
            return self.range_rest(True, first)
        items = [first]
        while self.at_op(","):
            self.advance()
            items.append(self.expression())
        self.expect_op("]")
        return n.ListLiteral(tuple(items))

    def range_rest(self, start_included: bool, start: n.Node) -> n.Node:
        self.expect_op("..")
        outer = self.in_range_end
        self.in_range_end = True
        try:
            end = self.expression()
        finally:
            self.in_range_end = outer
        if self.at_op("]"):
            end_included = True
        elif self.at_op(")", "["):
            end_included = False
        else:
            raise self.fail("']', ')' or '[' closing the range")
        self.advance()
        return n.RangeLiteral(start_included, start, end, end_included)

    def context(self) -> n.Node:
        self.expect_op("{")
        entries: list[tuple[str, n.Node]] = []
        if not self.at_op("}"):
            while True:
                key = self.context_key()
                self.expect_op(":")
                entries.append((key, self.expression()))
                if not self.at_op(","):
                    break
                self.advance()
        self.expect_op("}")
        return n.ContextLiteral(tuple(entries))

    def context_key(self) -> str:
        if self.token.kind == "string":
            return self.advance().text
        words: list[str] = []
        while self.token.kind == "name":
            words.append(self.advance().text)
        if not words:
            raise self.fail("a context key")
        return " ".join(words)

    def unary_comparison(self) -> n.Node:
        operator = self.advance().text
        return n.UnaryComparison(operator, self.expression(_COMPARISON))  # type: ignore[arg-type]

    def if_expression(self) -> n.Node:
        self.expect_word("if")
        condition = self.expression()
        self.expect_word("then")
        then = self.expression()
        self.expect_word("else")
        return n.If(condition, then, self.expression())

    def iterations(self) -> tuple[n.Iteration, ...]:
        iterations: list[n.Iteration] = []
        while True:
            name = self.iteration_name()
            self.expect_word("in")
            source = self.expression()
            range_end = None
            if self.at_op(".."):
                self.advance()
                range_end = self.expression()
            iterations.append(n.Iteration(name, source, range_end))
            if not self.at_op(","):
                return tuple(iterations)
            self.advance()

    def iteration_name(self) -> str:
        token = self.token
        if token.kind != "name" or (not token.quoted and token.text in _RESERVED):
            raise self.fail("a variable name")
        self.advance()
        return token.text

    def for_expression(self) -> n.Node:
        self.expect_word("for")
        iterations = self.iterations()
        self.expect_word("return")
        return n.For(iterations, self.expression())

    def quantified(self) -> n.Node:
        every = self.advance().text == "every"
        iterations = self.iterations()
        self.expect_word("satisfies")
        return n.Quantified(every, iterations, self.expression())

    def function_definition(self) -> n.Node:
        self.expect_word("function")
        self.expect_op("(")
        parameters: list[str] = []
        if not self.at_op(")"):
            while True:
                parameters.append(self.iteration_name())
                if self.at_op(":"):
                    # Parameter types are documentation only; FEEL does not check them on invocation.
                    self.advance()
                    self.type_spec()
                if not self.at_op(","):
                    break
                self.advance()
        self.expect_op(")")
        return n.FunctionDefinition(tuple(parameters), self.expression())

    def type_spec(self) -> n.TypeSpec:
        token = self.token
        if token.kind != "name":
            raise self.fail("a type name")
        for words in MULTI_WORD_TYPES:
            if all(self.at_word(word, token=self.peek(i)) for i, word in enumerate(words)):
                self.index += len(words)
                return n.TypeSpec(" ".join(words))
        self.advance()
        name = token.text
        if name in ("list", "range") and self.at_op("<"):
            self.advance()
            parameter = self.type_spec()
            self.expect_op(">")
            return n.TypeSpec(name, (parameter,))
        if name == "context" and self.at_op("<"):
            self.advance()
            entries: list[tuple[str, n.TypeSpec]] = []
            while True:
                key = self.context_key()
                self.expect_op(":")
                entries.append((key, self.type_spec()))
                if not self.at_op(","):
                    break
                self.advance()
            self.expect_op(">")
            return n.TypeSpec(name, entries=tuple(entries))
        if name == "function" and self.at_op("<"):
            self.advance()
            parameters: list[n.TypeSpec] = []
            if not self.at_op(">"):
                while True:
                    parameters.append(self.type_spec())
                    if not self.at_op(","):
                        break
                    self.advance()
            self.expect_op(">")
            self.expect_op("->")
            return n.TypeSpec(name, (*parameters, self.type_spec()))
        return n.TypeSpec(name)

    # --- unary tests -------------------------------------------------------------------------

    def in_tests(self) -> tuple[n.Node, ...]:
        """The right side of ``in``: one positive unary test or a parenthesised list of them."""
        if self.at_op("("):
            saved = self.index
            try:
                return (self.positive_unary_test(),)
            except FeelSyntaxError:
                self.index = saved
            self.advance()
            tests = [self.positive_unary_test()]
            while self.at_op(","):
                self.advance()
                tests.append(self.positive_unary_test())
            self.expect_op(")")
            return tuple(tests)
        return (self.positive_unary_test(),)

    def positive_unary_test(self) -> n.Node:
        if self.at_op(*_COMPARISON_OPERATORS):
            return self.unary_comparison()
        return self.expression(_COMPARISON)

    def unary_tests(self) -> n.UnaryTests:
        if self.at_op("-") and self.peek().kind == "eof":
            self.advance()
            return n.UnaryTests((), matches_anything=True)
        if self.at_word("not") and self.peek().kind == "op" and self.peek().text == "(":
            saved = self.index
            self.advance()
            self.advance()
            try:
                tests = self.positive_unary_tests()
                self.expect_op(")")
                if self.token.kind == "eof":
                    return n.UnaryTests(tests, negated=True)
            except FeelSyntaxError:
                pass
            # "not(x) = y" and similar are ordinary expressions that merely start with not(.
            self.index = saved
        return n.UnaryTests(self.positive_unary_tests())

    def positive_unary_tests(self) -> tuple[n.Node, ...]:
        tests = [self.unary_test_entry()]
        while self.at_op(","):
            self.advance()
            tests.append(self.unary_test_entry())
        return tuple(tests)

    def unary_test_entry(self) -> n.Node:
        if self.at_op(*_COMPARISON_OPERATORS):
            return self.unary_comparison()
        return self.expression()
