#!/usr/bin/env python3
"""Deterministic sample of TRAIN pastes for a blind-labelling ceiling study. Writes
sample-A.txt / sample-B.txt (no labels), key.tsv (labels) and causes.txt (id: title — summary)
into the current directory. Run it from a scratch directory, never give key.tsv to the labeller."""
import glob, os, sys, tomllib
HERE=os.path.dirname(os.path.abspath(__file__))
D=os.path.dirname(HERE)
CAUSES=os.path.join(D,'..','..','knowledge','causes')
def norm(u):
    u=u.strip().lower()
    if u.startswith('http://'): u='https://'+u[7:]
    u=u.split('#')[0].split('?')[0].rstrip('/')
    if u.startswith('https://github.com/'): u=u.replace('/pull/','/issues/',1)
    return u
def fnv(b):
    h=0xcbf29ce484222325
    for c in b: h^=c; h=(h*0x100000001b3)&0xffffffffffffffff
    return h
known={norm(l) for l in open(D+'/known-sources.list') if l.strip() and not l.startswith('#')}
recs=[]
for f in sorted(glob.glob(D+'/*.txt')):
    if os.path.basename(f).startswith('new-causes-'): continue
    parts=open(f).read().split('@@@ case')[1:]
    for i,p in enumerate(parts):
        head,_,body=p.partition('@@@ paste')
        h=dict(l.split(': ',1) for l in head.strip().splitlines() if ': ' in l)
        k=norm(h['source'])
        if not (k in known or fnv(k.encode())%10<7): continue
        body=body.strip('\n')
        if not body.strip(): continue
        recs.append((fnv(f"{k}#{i}#ceiling".encode()), h, body))
recs.sort(key=lambda r:r[0])
seen=set(); pick=[]
for r in recs:
    k=norm(r[1]['source'])
    if k in seen: continue
    seen.add(k); pick.append(r)
    if len(pick)==120: break
with open('key.tsv','w') as key:
    for half,name in ((pick[:60],'A'),(pick[60:],'B')):
        with open(f'sample-{name}.txt','w') as out:
            for j,(_,h,body) in enumerate(half):
                cid=f"{name}{j+1:02d}"
                key.write(f"{cid}\t{h['cause'].strip()}\t{h['platform'].strip()}\t{h['source'].strip()}\n")
                out.write(f"@@@ {cid}\nplatform: {h['platform'].strip()}\n@@@ paste\n{body}\n\n")
with open('causes.txt','w') as c:
    for f in sorted(glob.glob(os.path.join(CAUSES,'*.toml'))):
        t=tomllib.load(open(f,'rb'))
        c.write(f"{t['id']}: {t['title']} — {t['summary']}\n")
print(len(recs), len(pick))
