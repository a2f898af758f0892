"""Hypothesis strategies for messages on the topic: what a producer, a bug or an attacker can write.

Three families, mixed: arbitrary bytes; arbitrary JSON-ish documents (every Unicode category,
every kind of escape, numbers in every notation and size, nesting, duplicate keys, whitespace
and BOMs around the document, and near-misses of JSON's grammar); and near-valid events, a good
event with one field mutated. The texts are built here token by token, not by json.dumps, so
that they can be exactly as odd as a hand-written message.
"""
from __future__ import annotations

import json

from hypothesis import strategies as st

JSON_WS = " \t\n\r"
# Whitespace that JSON does not allow between tokens, and the BOM.
OTHER_WS = ["\u00a0", "\u2028", "\u2029", "\u3000", "\ufeff", "\x0b", "\x0c", "\x85", "\u200b"]
SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                 "\r": "\\r", "\t": "\\t"}

lone_surrogate = st.integers(0xD800, 0xDFFF).map(chr)
chars_no_surrogates = st.characters()  # every category but Cs
# Every character, surrogates included (as \\u escapes they are legal JSON, and invalid Unicode).
any_char = st.one_of(chars_no_surrogates, chars_no_surrogates, chars_no_surrogates, lone_surrogate)


# Hypothesis favours simple choices (the first of a sampled_from, the bounds of an integer
# range), which would make the "rare" twists common. Where a share matters, a seeded
# random.Random, seeded by Hypothesis (so reproducible), decides.
def rarely(n: int):
    """True about once in n draws."""
    return st.randoms(use_true_random=True).map(lambda r: r.random() < 1 / n)


def pick(n: int):
    """A number in range(n), evenly."""
    return st.randoms(use_true_random=True).map(lambda r: r.randrange(n))


def weighted(*pairs):
    """One of the strategies, chosen with these weights."""
    weights, strategies = zip(*pairs)
    return st.randoms(use_true_random=True).flatmap(lambda r: r.choices(strategies, weights)[0])


@st.composite
def ws(draw, allow_bad: bool = True) -> str:
    parts = draw(st.lists(st.sampled_from(list(JSON_WS)), max_size=3))
    if allow_bad and draw(rarely(30)):
        parts.append(draw(st.sampled_from(OTHER_WS)))
    return "".join(parts)


@st.composite
def escaped_char(draw, c: str) -> str:
    """One character as it may appear inside a JSON string: raw where allowed, or escaped."""
    code = ord(c)
    forms = []
    if c not in '"\\' and code >= 0x20 and not 0xD800 <= code <= 0xDFFF:
        forms.append(c)
    if c in SHORT_ESCAPES:
        forms.append(SHORT_ESCAPES[c])
    if code <= 0xFFFF:
        forms.append("\\u%04x" % code)
        forms.append("\\u%04X" % code)
    else:  # an astral character as a surrogate pair of escapes
        hi, lo = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms.append("\\u%04x\\u%04x" % (hi, lo))
    if code < 0x20 and draw(rarely(20)):
        forms.append(c)  # a raw control character: not JSON
    return draw(st.sampled_from(forms))


@st.composite
def json_string(draw, value: str | None = None) -> str:
    if value is None:
        value = draw(st.text(any_char, max_size=12))
    body = "".join(draw(escaped_char(c)) for c in value)
    if draw(rarely(40)):  # near-misses of the string grammar
        body += draw(st.sampled_from(["\\", "\\x41", "\\u12", "\\uZZZZ", "\\U0041", "\\'", "\\\u00e9"]))
    return '"' + body + '"'


@st.composite
def json_number(draw) -> str:
    kind = draw(pick(10))
    if kind == 0:  # integers of any size
        return str(draw(st.integers(-(10 ** 40), 10 ** 40)))
    if kind == 1:  # floats, as Python writes them (incl. 1e+16 and 5e-324)
        return repr(draw(st.floats(allow_nan=False, allow_infinity=False)))
    if kind == 2:  # not JSON: things other languages write for numbers
        return draw(st.sampled_from(["01", "+1", ".5", "1.", "-", "1e", "1e+", "0x1F", "NaN", "Infinity",
                                     "-Infinity", "1_000", "１２", "٤٢", "1.5.2", "--1", "-01"]))
    sign = draw(st.sampled_from(["", "-"]))
    whole = draw(st.sampled_from(["0", str(draw(st.integers(1, 10 ** 6))), "9" * draw(st.integers(1, 400))]))
    frac = draw(st.sampled_from(["", "." + str(draw(st.integers(0, 10 ** 6)))]))
    exp = draw(st.sampled_from(["", f"{draw(st.sampled_from('eE'))}{draw(st.sampled_from(['', '+', '-']))}"
                                    f"{draw(st.integers(0, 400))}"]))
    return sign + whole + frac + exp


scalar = st.one_of(
    json_string(),
    json_number(),
    st.sampled_from(["true", "false", "null"]),
    st.sampled_from(["True", "nul", "None", "undefined", "'single'", "tru"]),
)


def _container(children):
    @st.composite
    def build(draw):
        if draw(st.booleans()):
            items = draw(st.lists(children, max_size=4))
            return "[" + draw(ws()) + ("," + draw(ws())).join(items) + draw(ws()) + "]"
        keys = draw(st.lists(st.one_of(json_string(), st.sampled_from(['"uuid"', '"age"', '"a"'])), max_size=4))
        values = draw(st.lists(children, min_size=len(keys), max_size=len(keys)))
        members = [f"{k}{draw(ws())}:{draw(ws())}{v}" for k, v in zip(keys, values)]
        return "{" + draw(ws()) + ("," + draw(ws())).join(members) + draw(ws()) + "}"
    return build()


json_value = st.recursive(scalar, _container, max_leaves=12)

# Valid JSON of any shape, as json.dumps writes it (escaped where a lone surrogate needs it).
python_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(any_char),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(any_char, max_size=5), children, max_size=3),
    max_leaves=8)
valid_json_value = st.tuples(python_value, st.booleans()).map(
    lambda v: json.dumps(v[0], ensure_ascii=v[1] or _has_surrogate(v[0])))


def _has_surrogate(value) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in json.dumps(value, ensure_ascii=False))


@st.composite
def deep_nesting(draw) -> str:
    """Nesting deeper than any recursive parser's stack would like; sometimes unbalanced."""
    depth = draw(st.integers(900, 1400))
    opener = draw(st.sampled_from(["[", '{"a":']))
    closer = "]" if opener == "[" else "}"
    inner = draw(st.sampled_from(["1", "[]", '""']))
    missing = draw(st.sampled_from([0, 0, 0, 1]))
    return opener * depth + inner + closer * (depth - missing)


@st.composite
def document(draw) -> str:
    """A document: a value with whitespace around it, sometimes a BOM, trailing bytes or a cut."""
    text = draw(ws()) + draw(st.one_of(json_value, deep_nesting())) + draw(ws())
    twist = draw(pick(12))
    if twist == 0:
        text = "\ufeff" + text
    elif twist == 1:
        text += draw(st.sampled_from(["x", "}", ",", "{}", " 1", "\x00", "//", "/* */"]))
    elif twist == 2 and len(text) > 1:
        text = text[:draw(st.integers(1, len(text) - 1))]
    return text


# ---- near-valid events

VALID_EVENT = {"uuid": "3f1c2a9e-5b7d-4e8f-9a01-23456789abcd", "first_name": "Zoë", "last_name": "Ødegård",
               "country": "Norway", "age": 36}

special_texts = st.sampled_from([
    "", " ", "\t\n", "\r", "\u00a0", "a\u0000b", "\u0000", "\u2028", "\u2029", "\ufeff", "\ud800", "a\udc00",
    "\ud83d\ude00", "\ud83d", "\ude00\ud83d", "😀", "Zoë", "e\u0301", "\x7f", "\x1f", "x" * 64, "x" * 65,
    "😀" * 64, "😀" * 65, "é" * 256, "é" * 257, "\u2003", "\u3000", "\x0b", "\x85", " \u00a0 ", "\u200b"])
odd_texts = st.one_of(
    special_texts,
    special_texts,
    st.text(any_char, max_size=10),
    st.text(chars_no_surrogates, min_size=60, max_size=70),    # around the uuid limit (64)
    st.text(chars_no_surrogates, min_size=250, max_size=262),  # around the name limit (256)
    st.text(st.characters(min_codepoint=0x10000), min_size=63, max_size=66),  # astral: counted once
    st.builds(lambda a, s, b: a + s + b, st.text(max_size=3), lone_surrogate, st.text(max_size=3)),
)
odd_ages = st.sampled_from([
    "0", "150", "151", "-1", "-0", "36", "36.0", "3.6e1", "36e0", "1e2", "0.0", "1E1", "99999999999999999999",
    "-99999999999999999999", '"36"', '"036"', '"-0"', '"+36"', '" 36"', '"36 "', '"36\\n"', '"\\u0033\\u0036"',
    '"３６"', '"٣٦"', '""', '"-"', '"1e1"', '"151"', '"0x24"', "true", "false", "null", "[36]", '{"v":36}',
])


@st.composite
def near_valid_event(draw) -> str:
    """A valid event with one thing changed: a field's value, its key, its presence or count."""
    fields = [[json.dumps(k), json.dumps(v, ensure_ascii=False)] for k, v in VALID_EVENT.items()]
    fields[0][1] = json.dumps(draw(st.uuids()).hex if draw(st.booleans()) else str(draw(st.uuids())))
    extra = draw(st.lists(st.tuples(valid_json_value.filter(lambda t: t.startswith('"')), valid_json_value),
                          max_size=2))
    i = draw(st.integers(0, len(fields) - 1))
    mutation = draw(pick(10))
    if mutation <= 3:  # a new value for one field
        if fields[i][0] == '"age"':
            fields[i][1] = draw(weighted((2, odd_ages), (1, json_value)))
        else:
            fields[i][1] = draw(weighted((2, json_string(draw(special_texts))), (2, json_string(draw(odd_texts))),
                                         (1, json_value)))
    elif mutation == 4:  # the field missing
        del fields[i]
    elif mutation == 5:  # the field twice
        fields.append([fields[i][0], draw(st.one_of(json_value, st.just(fields[i][1])))])
    elif mutation == 6:  # the key escaped, or almost the key
        name = json.loads(fields[i][0])
        fields[i][0] = draw(st.one_of(json_string(name), st.just(json.dumps(name.upper())),
                                      st.just(json.dumps(name + " "))))
    elif mutation == 7:  # the value's string re-escaped
        value = json.loads(fields[i][1])
        if isinstance(value, str):
            fields[i][1] = draw(json_string(value))
    # mutation 8, 9: unchanged (a valid event, rendered oddly)
    members = [f"{k}{draw(ws(allow_bad=False))}:{draw(ws(allow_bad=False))}{v}" for k, v in fields + [list(e) for e in extra]]
    members = draw(st.permutations(members))
    text = "{" + ",".join(members) + "}"
    if draw(rarely(10)):
        text = draw(ws()) + text + draw(ws())
    return text


@st.composite
def encoded(draw, text_strategy) -> bytes:
    """A text as bytes: UTF-8 almost always; sometimes another encoding, or CESU-style surrogates."""
    text = draw(text_strategy)
    how = draw(pick(30))
    if how == 0:
        return text.encode("utf-16", errors="surrogatepass")
    if how == 1:
        return text.encode("latin-1", errors="replace")
    return text.encode("utf-8", errors="surrogatepass")  # a raw lone surrogate -> invalid UTF-8


def padded_to(limit: int):
    """A valid event padded to within a few characters of the length limit, either side."""
    @st.composite
    def build(draw) -> bytes:
        head = json.dumps({**VALID_EVENT, "uuid": str(draw(st.uuids()))}, ensure_ascii=False)[:-1]
        rest = limit - len(head) - len(',"pad":""}')
        pad = "x" * max(0, rest + draw(st.integers(-2, 2)))
        return (head + ',"pad":"' + pad + '"}').encode()
    return build()


def message(limit: int):
    """One message value (None: a tombstone); near-valid events weigh most, being the subtle ones."""
    near = encoded(near_valid_event())
    doc = encoded(document())
    return weighted((1, st.none()), (1, st.binary(max_size=64)), (3, doc), (8, near), (1, padded_to(limit)))


kafka_timestamps = st.one_of(
    st.just(None),  # the producer's clock, now
    st.sampled_from([0, 1, 253_402_300_799_999, 253_402_300_800_000, 2 ** 62]),
    st.integers(0, 4_000_000_000_000),
)
