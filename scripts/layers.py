#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# layers.py - circles among src/ modules: which module calls which (from
# the symbols of build/src/**/*.o, leaving out the public sqn_ API and the
# *_ops tables, which are the dispatch), and which header includes which.
# Usage: scripts/layers.py [ROOT] (after make); -v lists the call graph.
# Exits 1 when there is a circle.
import subprocess, os, re, sys, glob
args = [a for a in sys.argv[1:] if a != '-v']
root = args[0] if args else '.'
B = os.path.join(root, 'build')
objs = sorted(glob.glob(B + '/src/*.o') + glob.glob(B + '/src/sys/*.o'))
defs, uses = {}, {}
for o in objs:
    m = os.path.relpath(o, B)[:-2]
    out = subprocess.run(['nm', o], capture_output=True, text=True).stdout
    d, u = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'TDRB':
            d.add(parts[2])
        elif len(parts) == 2 and parts[0] == 'U':
            u.add(parts[1])
    defs[m], uses[m] = d, u
skip = lambda s: s.startswith('sqn_') or s.endswith('_ops')
owner = {s: m for m, d in defs.items() for s in d if not skip(s)}
g = {m: sorted({owner[s] for s in uses[m] if s in owner and owner[s] != m}) for m in defs}
def sccs(g):
    idx, low, st, on, res, i = {}, {}, [], set(), [], [0]
    def f(v):
        idx[v] = low[v] = i[0]; i[0] += 1; st.append(v); on.add(v)
        for w in g.get(v, []):
            if w not in idx: f(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], idx[w])
        if low[v] == idx[v]:
            c = []
            while True:
                w = st.pop(); on.discard(w); c.append(w)
                if w == v: break
            if len(c) > 1: res.append(sorted(c))
    for v in list(g): 
        if v not in idx: f(v)
    return res
cc = sccs(g)
print('call circles:', cc or 'none')
if '-v' in sys.argv:
    for m in g: print('  ', m, '->', ' '.join(g[m]))
# headers
hs = glob.glob(root + '/src/*.h') + glob.glob(root + '/src/sys/*.h') + glob.glob(root + '/include/*.h')
names = {}
for h in hs: names.setdefault(os.path.basename(h), []).append(h)
hg = {}
for h in hs:
    inc = re.findall(r'#include "([^"]+)"', open(h).read())
    hg[os.path.relpath(h, root)] = sorted(os.path.relpath(x, root) for i in inc for x in names.get(os.path.basename(i), []) if x != h)
hc = sccs(hg)
print('header circles:', hc or 'none')
sys.exit(1 if cc or hc else 0)
