"""String built-ins."""

from __future__ import annotations

import pytest

from .helpers import run


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('string length("abc")', 3),
        ('string length("投诉")', 2),
        ('string length("😀")', 1),
        ('upper case("aBc")', "ABC"),
        ('lower case("aBc")', "abc"),
        ('substring("foobar", 3)', "obar"),
        ('substring("foobar", 3, 3)', "oba"),
        ('substring("foobar", -2, 1)', "a"),
        ('substring("foobar", 1.9)', "foobar"),
        ('substring("foobar", 0)', ""),
        ('substring("abc", -4)', None),
        ('substring("abc", 1, -1)', None),
        ('substring(string: "foobar", start position: 2, length: 2)', "oo"),
        ('substring before("foobar", "bar")', "foo"),
        ('substring before("foobar", "x")', ""),
        ('substring after("foobar", "ob")', "ar"),
        ('substring after("foobar", "")', "foobar"),
        ('contains("foobar", "ob")', True),
        ('contains("foobar", "x")', False),
        ('starts with("foobar", "fo")', True),
        ('ends with("foobar", "bar")', True),
        ('matches("foobar", "^fo*b")', True),
        ('matches("FooBar", "foobar", "i")', True),
        ('matches("abc", "[")', None),
        ('matches("a.c", "a.c", "q")', True),
        ('matches("abc", "a.c", "q")', False),
        ('replace("banana", "a", "o")', "bonono"),
        ('replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', "[1=ab][2=]cd"),
        ('replace("2026-10-01", "(\\d+)-(\\d+)-(\\d+)", "$3.$2.$1")', "01.10.2026"),
        ('replace("Banana", "b", "c", "i")', "canana"),
        ('replace("a", "a", "\\$1")', "$1"),
        ('split("a,b,c", ",")', ["a", "b", "c"]),
        ('split("a1b22c", "\\d+")', ["a", "b", "c"]),
        ('split("a,b,", ",")', ["a", "b", ""]),
        ('split("abc", "")', ["a", "b", "c", ""]),
        ('string join(["a", "b"])', "ab"),
        ('string join(["a", null, "b"], "-")', "a-b"),
        ('string join(["a", "b"], ", ", "[", "]")', "[a, b]"),
        ('string join([1], ",")', None),
        ('trim("  a b \\t")', "a b"),
        ('extract("a1b22", "\\d+")', ["1", "22"]),
        ("upper case(1)", None),
        ("string length(null)", None),
    ],
)
def test_string_functions(source: str, expected: object) -> None:
    assert run(source) == expected
