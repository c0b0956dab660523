#!/usr/bin/env python3
"""build-image.py - deterministic builder of tiny container images (python3 stdlib only).

Everything is written into one OCI image layout directory (LAYOUT/oci-layout,
LAYOUT/index.json, LAYOUT/blobs/sha256/<hex>) so that `skopeo copy oci:LAYOUT:REF ...`
can push it.  Content is pseudo-random but fully determined by the seeds given, so the
same commands always produce the same digests.

Sub-commands (each prints the digest of what it made on stdout):

  image LAYOUT --ref REF [--docker] [--arch A] [--os O] [--base REF] --layer SEED:SIZE ...
        single-platform image; --base reuses (shares) all layers of an existing REF first.
        --docker produces docker schema2 media types instead of OCI.
  index LAYOUT --ref REF [--docker] --child REF ...
        OCI image index (or docker manifest list with --docker) over existing manifests.
  blob LAYOUT --seed SEED --size N
        a raw (non-tar) blob; prints "<digest> <size>".
  empty LAYOUT
        the OCI empty descriptor blob "{}"; prints its digest.
  artifact LAYOUT --artifact-type T --subject DIGEST --layer-type MT --seed SEED --size N
        OCI 1.1 artifact manifest (config = empty descriptor, one layer, subject =
        the descriptor of DIGEST which must be a manifest in LAYOUT). Not added to index.json.
  fallback-index LAYOUT --referrer DIGEST ...
        OCI index listing referrers (the "sha256-<hex>" tag schema). Not added to index.json.
  export-dir LAYOUT REF OUTDIR
        copy REF and its closure into a skopeo `dir:` directory (for docker media types).
  refs LAYOUT DIGEST
        print the digests a manifest references, one "<kind> <digest>" per line.
  oracle LAYOUT LEDGER OUT [--refs-out FILE]
        compute the GC oracle from a ledger of what was pushed (see fill-scenario.sh).
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
D2_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
D2_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
D2_CONFIG = "application/vnd.docker.container.image.v1+json"
D2_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
MANIFEST_TYPES = (OCI_MANIFEST, D2_MANIFEST)
INDEX_TYPES = (OCI_INDEX, D2_LIST)
EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
CREATED = "2024-01-01T00:00:00Z"


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def dumps(obj):
    return json.dumps(obj, indent=2, sort_keys=False).encode() + b"\n"


class Layout:
    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        lay = os.path.join(path, "oci-layout")
        if not os.path.exists(lay):
            with open(lay, "w") as f:
                f.write('{"imageLayoutVersion": "1.0.0"}')
        self.index_path = os.path.join(path, "index.json")
        if os.path.exists(self.index_path):
            with open(self.index_path) as f:
                self.index = json.load(f)
        else:
            self.index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}

    def put(self, data):
        d = sha(data)
        p = os.path.join(self.path, "blobs", "sha256", d[7:])
        if not os.path.exists(p):
            with open(p, "wb") as f:
                f.write(data)
        return d

    def get(self, digest):
        with open(os.path.join(self.path, "blobs", "sha256", digest.split(":", 1)[1]), "rb") as f:
            return f.read()

    def has(self, digest):
        return os.path.exists(os.path.join(self.path, "blobs", "sha256", digest.split(":", 1)[1]))

    def get_json(self, digest):
        return json.loads(self.get(digest))

    def desc(self, digest):
        data = self.get(digest)
        return {"mediaType": json.loads(data).get("mediaType", OCI_MANIFEST), "digest": digest, "size": len(data)}

    def tag(self, ref, desc):
        ms = [m for m in self.index["manifests"]
              if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != ref]
        d = dict(desc)
        d["annotations"] = {"org.opencontainers.image.ref.name": ref}
        ms.append(d)
        self.index["manifests"] = ms
        with open(self.index_path, "wb") as f:
            f.write(dumps(self.index))

    def lookup(self, ref):
        for m in self.index["manifests"]:
            if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref:
                return m["digest"]
        raise SystemExit("unknown ref %s" % ref)


def make_layer(seed, size):
    """gzip(tar) with one file of `size` seeded random bytes; returns (gz, diffid)."""
    rnd = random.Random("layer:" + seed)
    payload = bytes(rnd.getrandbits(8) for _ in range(size))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        d = tarfile.TarInfo("layer-" + seed)
        d.type = tarfile.DIRTYPE
        d.mode = 0o755
        d.mtime = 1704067200
        tf.addfile(d)
        ti = tarfile.TarInfo("layer-%s/data.bin" % seed)
        ti.size = len(payload)
        ti.mode = 0o644
        ti.mtime = 1704067200
        tf.addfile(ti, io.BytesIO(payload))
    raw = buf.getvalue()
    gz = gzip.compress(raw, compresslevel=6, mtime=0)
    return gz, sha(raw)


def cmd_image(a):
    L = Layout(a.layout)
    ltype = D2_LAYER if a.docker else OCI_LAYER
    layers, diffids = [], []
    if a.base:
        bm = L.get_json(L.lookup(a.base))
        bc = L.get_json(bm["config"]["digest"])
        for l in bm["layers"]:
            layers.append({"mediaType": ltype, "digest": l["digest"], "size": l["size"]})
        diffids.extend(bc["rootfs"]["diff_ids"])
    for spec in a.layer:
        seed, size = spec.rsplit(":", 1)
        gz, diffid = make_layer(seed, int(size))
        layers.append({"mediaType": ltype, "digest": L.put(gz), "size": len(gz)})
        diffids.append(diffid)
    config = {
        "created": CREATED,
        "architecture": a.arch,
        "os": a.os,
        "config": {"Env": ["PATH=/usr/bin:/bin"], "Labels": {"regsweep.test.ref": a.ref}},
        "rootfs": {"type": "layers", "diff_ids": diffids},
        "history": [{"created": CREATED, "created_by": "build-image.py %s" % a.ref}],
    }
    if a.variant:
        config["variant"] = a.variant
    cdata = dumps(config)
    cd = L.put(cdata)
    m = {"schemaVersion": 2, "mediaType": D2_MANIFEST if a.docker else OCI_MANIFEST,
         "config": {"mediaType": D2_CONFIG if a.docker else OCI_CONFIG, "digest": cd, "size": len(cdata)},
         "layers": layers}
    if a.annotation and not a.docker:
        m["annotations"] = dict(kv.split("=", 1) for kv in a.annotation)
    data = dumps(m)
    md = L.put(data)
    L.tag(a.ref, {"mediaType": m["mediaType"], "digest": md, "size": len(data)})
    print(md)


def cmd_index(a):
    L = Layout(a.layout)
    ms = []
    for ref in a.child:
        d = L.lookup(ref)
        m = L.get_json(d)
        c = L.get_json(m["config"]["digest"])
        plat = {"architecture": c["architecture"], "os": c["os"]}
        if c.get("variant"):
            plat["variant"] = c["variant"]
        ms.append({"mediaType": m["mediaType"], "digest": d, "size": len(L.get(d)), "platform": plat})
    idx = {"schemaVersion": 2, "mediaType": D2_LIST if a.docker else OCI_INDEX, "manifests": ms}
    data = dumps(idx)
    d = L.put(data)
    L.tag(a.ref, {"mediaType": idx["mediaType"], "digest": d, "size": len(data)})
    print(d)


def cmd_blob(a):
    rnd = random.Random("blob:" + a.seed)
    data = bytes(rnd.getrandbits(8) for _ in range(a.size))
    L = Layout(a.layout)
    print(L.put(data), len(data))


def cmd_empty(a):
    d = Layout(a.layout).put(b"{}")
    assert d == EMPTY_DIGEST
    print(d)


def cmd_artifact(a):
    L = Layout(a.layout)
    empty = L.put(b"{}")
    rnd = random.Random("artifact:" + a.seed)
    payload = dumps({"artifact": a.artifact_type, "seed": a.seed,
                     "noise": "".join(rnd.choice("0123456789abcdef") for _ in range(a.size))})
    ld = L.put(payload)
    m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": a.artifact_type,
         "config": {"mediaType": OCI_EMPTY, "digest": empty, "size": 2},
         "layers": [{"mediaType": a.layer_type, "digest": ld, "size": len(payload)}],
         "subject": L.desc(a.subject),
         "annotations": {"org.opencontainers.image.created": CREATED}}
    print(L.put(dumps(m)))


def cmd_fallback_index(a):
    L = Layout(a.layout)
    ms = []
    for r in a.referrer:
        m = L.get_json(r)
        d = {"mediaType": OCI_MANIFEST, "digest": r, "size": len(L.get(r))}
        if m.get("artifactType"):
            d["artifactType"] = m["artifactType"]
        if m.get("annotations"):
            d["annotations"] = m["annotations"]
        ms.append(d)
    print(L.put(dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": ms})))


def references(L, digest):
    """[(kind, digest)] directly referenced by manifest `digest` (subject excluded)."""
    m = L.get_json(digest)
    mt = m.get("mediaType")
    out = []
    if "manifests" in m or mt in INDEX_TYPES:
        for c in m.get("manifests", []):
            out.append(("child", c["digest"]))
    else:
        if m.get("config"):
            out.append(("config", m["config"]["digest"]))
        for l in m.get("layers", []):
            out.append(("layer", l["digest"]))
    return out


def cmd_export_dir(a):
    """Write REF (or digest) and everything it references as a skopeo `dir:` directory
    (needed for docker schema2 media types, which skopeo's oci: transport refuses)."""
    L = Layout(a.layout)
    top = a.ref if a.ref.startswith("sha256:") else L.lookup(a.ref)
    os.makedirs(a.outdir, exist_ok=True)
    with open(os.path.join(a.outdir, "version"), "w") as f:
        f.write("Directory Transport Version: 1.1\n")

    def cp(d, name):
        with open(os.path.join(a.outdir, name), "wb") as f:
            f.write(L.get(d))

    def walk(d, is_top):
        cp(d, "manifest.json" if is_top else d[7:] + ".manifest.json")
        for k, c in references(L, d):
            if k == "child":
                walk(c, False)
            else:
                cp(c, c[7:])
    walk(top, True)
    print(top)


def cmd_refs(a):
    L = Layout(a.layout)
    for k, d in references(L, a.digest):
        print(k, d)


def cmd_oracle(a):
    """Ledger lines (whitespace separated, '#' comments):
         manifest REPO DIGEST [NOTE...]  manifest stored in REPO (index children implied)
         tag REPO TAG DIGEST             REPO:TAG now points at DIGEST
         untag REPO TAG                  the tag is removed (e.g. regsweep --untag)
         delete REPO DIGEST              manifest deleted via the API (revision link + its tags gone)
         blob REPO DIGEST [NOTE...]      blob uploaded/mounted into REPO
         upload REPO UUID [NOTE...]      unfinished upload
    """
    L = Layout(a.layout)
    revs = {}          # (repo, digest) -> True   (manifest revision links)
    tags = {}          # (repo, tag) -> digest
    blobs = set()      # every blob that landed in the blob store
    labels = {}        # (repo, manifest digest) -> label
    owners = {}        # blob digest -> [(repo, manifest digest, kind)]
    blob_notes = {}    # standalone blobs -> note
    blob_repos = set() # (repo, digest) of blobs uploaded/mounted directly
    uploads = []
    repos_seen = set()

    def add_manifest(repo, d, label):
        revs[(repo, d)] = True
        blobs.add(d)
        labels.setdefault((repo, d), label)
        for k, c in references(L, d):
            blobs.add(c)
            owners.setdefault(c, []).append((repo, d, k))
            if k == "child":
                plat = ""
                for m in L.get_json(d).get("manifests", []):
                    if m["digest"] == c and m.get("platform"):
                        p = m["platform"]
                        plat = "/".join(x for x in (p.get("os"), p.get("architecture"), p.get("variant")) if x)
                add_manifest(repo, c, "%s child %s" % (label, plat))

    with open(a.ledger) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            w = line.split()
            op, repo = w[0], w[1]
            repos_seen.add(repo)
            if op == "manifest":
                add_manifest(repo, w[2], " ".join(w[3:]) or "%s@%s" % (repo, w[2][7:19]))
            elif op == "tag":
                tags[(repo, w[2])] = w[3]
                if (repo, w[3]) not in revs:
                    raise SystemExit("ledger: tag %s:%s -> unknown manifest %s" % (repo, w[2], w[3]))
            elif op == "untag":
                tags.pop((repo, w[2]), None)
            elif op == "delete":
                revs.pop((repo, w[2]), None)
                for k in [k for k, v in tags.items() if k[0] == repo and v == w[2]]:
                    del tags[k]
            elif op == "blob":
                blobs.add(w[2])
                blob_repos.add((repo, w[2]))
                blob_notes.setdefault(w[2], " ".join(w[3:]) or "blob in %s" % repo)
            elif op == "upload":
                uploads.append((repo, w[2], " ".join(w[3:])))
            else:
                raise SystemExit("ledger: bad line %r" % line)

    def closure(repo, d, acc, macc):
        if (repo, d) in macc:
            return
        macc.add((repo, d))
        acc.add(d)
        for k, c in references(L, d):
            if k == "child":
                closure(repo, c, acc, macc)
            else:
                acc.add(c)

    # subject map: (repo, subject digest) -> [referrer digests]
    subjects = {}
    for (repo, d) in revs:
        m = L.get_json(d)
        if m.get("subject"):
            subjects.setdefault((repo, m["subject"]["digest"]), []).append(d)

    def keep_from(roots):
        acc, macc = set(), set()
        work = list(roots)
        while work:
            for (repo, d) in work:
                closure(repo, d, acc, macc)
            work = [(repo, r) for (repo, d) in list(macc) for r in subjects.get((repo, d), [])
                    if (repo, r) not in macc]
        return acc, macc

    keep_all, kept_manifests_all = keep_from(list(revs))
    keep_m, kept_manifests_m = keep_from(list({(r, d) for (r, _t), d in tags.items()}))
    assert keep_m <= keep_all

    def note_for(d, cls):
        pref = kept_manifests_m if cls == "live" else (kept_manifests_all if cls == "untagged" else None)
        own = [lab for (r, md), lab in labels.items() if md == d]
        if own:
            good = [lab for (r, md), lab in labels.items() if md == d and (pref is None or (r, md) in pref)]
            return "manifest " + (good or own)[0]
        os_ = owners.get(d, [])
        good = [o for o in os_ if pref is None or (o[0], o[1]) in pref] or os_
        if good:
            r, md, k = good[0]
            n = "%s of %s" % (k, labels[(r, md)])
            if len(set(o[1] for o in os_)) > 1:
                n += " (+%d more)" % (len(set(o[1] for o in os_)) - 1)
            return n
        return blob_notes.get(d, "-")

    lines = []
    for d in sorted(blobs):
        cls = "live" if d in keep_m else ("untagged" if d in keep_all else "garbage")
        lines.append((cls, d, note_for(d, cls)))
    order = {"live": 0, "untagged": 1, "garbage": 2}
    lines.sort(key=lambda x: (order[x[0]], x[2], x[1]))
    with open(a.out, "w") as f:
        f.write("# regsweep e2e oracle: <class> <digest> <note>\n")
        f.write("# live = kept by every correct GC; untagged = kept without -m, deleted with -m;\n")
        f.write("# garbage = deleted by every correct GC.\n")
        for cls, d, n in lines:
            f.write("%s %s %s\n" % (cls, d, n.replace("\n", " ")))
    if a.refs_out:
        with open(a.refs_out, "w") as f:
            f.write("# tagged references and referrers: <kind> <repo> <ref> <digest> [<subject>]\n")
            for (repo, t), d in sorted(tags.items()):
                f.write("tag %s %s %s\n" % (repo, t, d))
            for (repo, s), rs in sorted(subjects.items()):
                for r in sorted(rs):
                    live = "live" if (repo, r) in kept_manifests_m else "untagged"
                    f.write("referrer %s %s %s %s\n" % (repo, live, r, s))
            for (repo, d) in sorted(revs):
                if (repo, d) not in kept_manifests_m:
                    f.write("untagged-manifest %s - %s\n" % (repo, d))
            for repo, u, n in uploads:
                f.write("upload %s %s %s\n" % (repo, u, n or "-"))
            for repo in sorted(repos_seen - {r for (r, _d) in revs}):
                linked = {c for c, os_ in owners.items() for (r, _m, k) in os_ if r == repo and k != "child"}
                linked |= {d for (r, d) in blob_repos if r == repo}
                kind = "live-layer-links" if linked & keep_all else "strict"
                f.write("empty-repo %s - %s\n" % (repo, kind))
    counts = {}
    for cls, _d, _n in lines:
        counts[cls] = counts.get(cls, 0) + 1
    print(" ".join("%s=%d" % (k, counts.get(k, 0)) for k in ("live", "untagged", "garbage")))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp = p.add_subparsers(dest="cmd", required=True)
    s = sp.add_parser("image")
    s.add_argument("layout")
    s.add_argument("--ref", required=True)
    s.add_argument("--docker", action="store_true")
    s.add_argument("--arch", default="amd64")
    s.add_argument("--os", default="linux")
    s.add_argument("--variant")
    s.add_argument("--base")
    s.add_argument("--layer", action="append", default=[])
    s.add_argument("--annotation", action="append", default=[])
    s.set_defaults(fn=cmd_image)
    s = sp.add_parser("index")
    s.add_argument("layout")
    s.add_argument("--ref", required=True)
    s.add_argument("--docker", action="store_true")
    s.add_argument("--child", action="append", required=True)
    s.set_defaults(fn=cmd_index)
    s = sp.add_parser("blob")
    s.add_argument("layout")
    s.add_argument("--seed", required=True)
    s.add_argument("--size", type=int, required=True)
    s.set_defaults(fn=cmd_blob)
    s = sp.add_parser("empty")
    s.add_argument("layout")
    s.set_defaults(fn=cmd_empty)
    s = sp.add_parser("artifact")
    s.add_argument("layout")
    s.add_argument("--artifact-type", required=True)
    s.add_argument("--subject", required=True)
    s.add_argument("--layer-type", required=True)
    s.add_argument("--seed", required=True)
    s.add_argument("--size", type=int, default=256)
    s.set_defaults(fn=cmd_artifact)
    s = sp.add_parser("fallback-index")
    s.add_argument("layout")
    s.add_argument("--referrer", action="append", required=True)
    s.set_defaults(fn=cmd_fallback_index)
    s = sp.add_parser("export-dir")
    s.add_argument("layout")
    s.add_argument("ref")
    s.add_argument("outdir")
    s.set_defaults(fn=cmd_export_dir)
    s = sp.add_parser("refs")
    s.add_argument("layout")
    s.add_argument("digest")
    s.set_defaults(fn=cmd_refs)
    s = sp.add_parser("oracle")
    s.add_argument("layout")
    s.add_argument("ledger")
    s.add_argument("out")
    s.add_argument("--refs-out")
    s.set_defaults(fn=cmd_oracle)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
