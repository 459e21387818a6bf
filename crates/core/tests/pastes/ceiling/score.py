#!/usr/bin/env python3
"""Scores the blind labelling study: python3 score.py [blind-labels.tsv]. Prints top-1 / top-3 of
the expert's guesses against the thread's resolution, overall and by how sure the expert said it was."""
import collections, os, sys
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'blind-labels.tsv')
rows = [l.rstrip('\n').split('\t') for l in open(path, encoding='utf-8') if not l.startswith('#')]
by = collections.defaultdict(lambda: [0, 0, 0])
for _, _, label, g1, g2, g3, sure in rows:
    for key in ('all', sure):
        by[key][0] += 1
        by[key][1] += label == g1
        by[key][2] += label in (g1, g2, g3)
for key, (n, top1, top3) in sorted(by.items(), key=lambda kv: -kv[1][0]):
    print(f"{key:<7} {n:>4} pastes  top-1 {top1 / n:6.1%}  top-3 {top3 / n:6.1%}")
