#!/usr/bin/env python3
"""Provoke real memory-cgroup OOM kills on this Linux host and record the kernel's own reports.

Origin: a copy of /work/shared/lab/oomlab.py (the project's lab script; its `python` shape below is that
script's scenario, unchanged), extended for issue 9 with the shapes where memory is shared or a process
is not what its table row looks like.  Each shape is selected with --shape and is reproducible from its
seed (random.Random("<shape>-<seed>")):

  python       the original: forked Python holders (anon / shared anon / file / shmem, threads, adj)
  exec         holders are an exec'd C program (holder.c, built at run time): a fresh mm each
  exec-storm   exec, with a grower that keeps allocating after kills (several events)
  vfork        holders that vfork() a child which never execs: parent blocked, child shares its mm
  clonevm      clone(CLONE_VM) sharers without CLONE_THREAD: separate processes, one mm
  exitleader   processes whose main thread called pthread_exit while other threads hold memory
  shmem        tmpfs files in /dev/shm, kept (linked) or removed while mapped (unlinked), some mapped twice
  cowfork      children forked by a parent outside the cgroup, moved in: their inherited pages stay
               copy-on-write shared and charged to the parent's cgroup
  cowfork-storm  cowfork with a grower that keeps going
  oomdisable   v1 memory.oom_control oom_kill_disable=1: the grower waits (under_oom 1), nothing is
               killed; then the harness frees memory and/or clears it and the kill happens

Each scenario builds a small memcg tree under this process's own v1 memory cgroup (limit 64-192 MiB),
fills it, starts a grower, and saves every OOM event the kernel logs for that tree (read from /dev/kmsg
while it runs, printed as dmesg prints it, the cgroup prefix above the scenario rewritten to /lab) in
OUTDIR/<shape>-<seed>.log, plus OUTDIR/<shape>-<seed>.json: the ground truth the kernel does not print
(which pids are vfork children, CLONE_VM sharers, exited leaders and their live thread ids, COW parents,
shmem files linked or not, /proc/PID/oom_score before the grower, who died and how).  A replay must not
read the .json: it is there to judge one.  Lines starting with '#' in a log are the harness's notes
(oomdisable: memory.oom_control and counters), placed in time order among the kernel's lines.

Usage (root, v1 memory controller):  oomlab.py [--shape SHAPE] OUTDIR FIRST_SEED LAST_SEED
Everything a scenario makes (processes, cgroups, files) is removed when it ends.
"""
import argparse, ctypes, json, mmap, os, random, re, select, shutil, signal, subprocess, sys, tempfile, threading, time

PAGE = os.sysconf("SC_PAGE_SIZE")
TWINS = os.environ.get("OOMLAB_TWINS") == "1"
MOUNT = "/sys/fs/cgroup/memory"
ROOT = MOUNT + [l.split(":", 2)[2].strip() for l in open("/proc/self/cgroup") if ":memory:" in l][0]
HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------------------------------------
# The original scenario (shape "python"), as the shared script has it.
# ---------------------------------------------------------------------------------------------------------

def holder(cg, anon_mb, file_mb, shmem_mb, adj, threads, ready_w, shared_anon=False, twin=False):
    open(os.path.join(cg, "cgroup.procs"), "w").write(str(os.getpid()))
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write(str(adj))
    keep = []
    if anon_mb:
        flags = mmap.MAP_SHARED if shared_anon else mmap.MAP_PRIVATE
        m = mmap.mmap(-1, anon_mb << 20, flags=flags | mmap.MAP_ANONYMOUS)
        for off in range(0, anon_mb << 20, PAGE):
            m[off] = 1
        keep.append(m)
    if file_mb:
        path = f"/tmp/oomlab-file-{os.getpid()}"
        with open(path, "wb") as f:
            f.write(b"\1" * (file_mb << 20))
        fd = os.open(path, os.O_RDONLY)
        m = mmap.mmap(fd, file_mb << 20, prot=mmap.PROT_READ)
        s = 0
        for off in range(0, file_mb << 20, PAGE):
            s += m[off]
        os.unlink(path)
        keep.append(m)
    if shmem_mb:
        path = f"/dev/shm/oomlab-{os.getpid()}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.ftruncate(fd, shmem_mb << 20)
        m = mmap.mmap(fd, shmem_mb << 20)
        for off in range(0, shmem_mb << 20, PAGE):
            m[off] = 1
        os.unlink(path)
        keep.append(m)
    if twin and os.fork() == 0:
        # an identical copy right after the parent in the task list: equal badness, the tie rule decides
        time.sleep(120)
        os._exit(0)
    for _ in range(threads):
        threading.Thread(target=time.sleep, args=(120,), daemon=True).start()
    os.write(ready_w, b"1")
    time.sleep(120)


def grower(cg, adj, step_mb):
    open(os.path.join(cg, "cgroup.procs"), "w").write(str(os.getpid()))
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write(str(adj))
    keep = []
    deadline = time.time() + 60
    while time.time() < deadline:
        m = mmap.mmap(-1, step_mb << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        for off in range(0, step_mb << 20, PAGE):
            m[off] = 1
        keep.append(m)
        time.sleep(0.02)


def spawn(fn, *args):
    pid = os.fork()
    if pid == 0:
        try:
            fn(*args)
        finally:
            os._exit(0)
    return pid


def kmsg_lines():
    return subprocess.run(["dmesg"], capture_output=True, text=True).stdout.splitlines()


def stamp(line):
    m = re.match(r"\[\s*(\d+\.\d+)\]", line)
    return float(m.group(1)) if m else -1.0


def last_stamp():
    lines = kmsg_lines()
    return stamp(lines[-1]) if lines else -1.0


def run(seed, outdir):
    rnd = random.Random(seed)
    name = f"oomlab-{os.getpid()}-{seed}"
    top = os.path.join(ROOT, name)
    limit_mb = rnd.choice([64, 96, 128, 160, 192])
    os.mkdir(top)
    open(os.path.join(top, "memory.limit_in_bytes"), "w").write(str(limit_mb << 20))
    groups = [top]
    for i in range(rnd.choice([0, 0, 1, 2, 3])):
        g = os.path.join(top, f"c{i}")
        os.mkdir(g)
        groups.append(g)
    before = last_stamp()
    pids = []
    budget = int(limit_mb * 0.6)
    n = rnd.randint(2, 9)
    spec = []
    for _ in range(n):
        share = max(1, budget // n)
        anon = rnd.randint(0, share)
        file = rnd.choice([0, 0, rnd.randint(0, max(1, share // 2))])
        shm = rnd.choice([0, 0, 0, rnd.randint(0, max(1, share // 3))])
        adj = rnd.choice([0, 0, 0, rnd.randint(0, 1000), rnd.choice([1, 500, 999, 1000])])
        thr = rnd.choice([0, 0, 0, 2, 5])
        spec.append(dict(cg=rnd.choice(groups), anon=anon, file=file, shmem=shm, adj=adj, threads=thr,
                         shared_anon=rnd.random() < 0.15, twin=TWINS and rnd.random() < 0.5))
    for s in spec:
        r, w = os.pipe()
        pids.append(spawn(holder, s["cg"], s["anon"], s["file"], s["shmem"], s["adj"], s["threads"], w, s["shared_anon"], s["twin"]))
        os.close(w)
        os.read(r, 1)
        os.close(r)
    gadj = rnd.choice([0, 0, rnd.randint(0, 1000)])
    g = spawn(grower, rnd.choice(groups), gadj, rnd.choice([1, 2, 4]))
    pids.append(g)
    t0 = time.time()
    while time.time() - t0 < 30:
        done, _ = os.waitpid(g, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    for p in pids:
        try:
            os.kill(p, 9)
        except ProcessLookupError:
            pass
    for p in pids:
        try:
            os.waitpid(p, 0)
        except ChildProcessError:
            pass
    new = [l for l in kmsg_lines() if stamp(l) > before]
    for gdir in groups:  # forked twins are not our children: end whatever is left in our cgroups
        for _ in range(50):
            left = [int(p) for p in open(os.path.join(gdir, "cgroup.procs")).read().split()]
            if not left:
                break
            for p in left:
                try:
                    os.kill(p, 9)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
    for gdir in reversed(groups):
        for _ in range(50):
            try:
                os.rmdir(gdir)
                break
            except OSError:
                time.sleep(0.1)
    own = ROOT[len("/sys/fs/cgroup/memory"):]
    text = "\n".join(new).replace(own + "/", "/lab/") + "\n"
    kills = re.findall(r"Killed process (\d+)", text)
    path = os.path.join(outdir, f"memcg-{seed:04d}.log")
    with open(path, "w") as f:
        f.write(text)
    return dict(seed=seed, limit_mb=limit_mb, groups=len(groups), holders=n, events=len(kills), file=os.path.basename(path))


# ---------------------------------------------------------------------------------------------------------
# The kernel log, read while a scenario runs (the ring buffer is small and other OOMs may share it).
# ---------------------------------------------------------------------------------------------------------

class Kmsg:
    """Reads /dev/kmsg from 'now' on in a thread; lines come out as dmesg prints them."""

    def __init__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)
        self.records = []  # (usec, text)
        self.stop = False
        self.lost = 0
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while True:
            select.select([self.fd], [], [], 0.1)
            while True:
                try:
                    rec = os.read(self.fd, 8192)
                except BlockingIOError:
                    break
                except BrokenPipeError:  # overwritten before we read it
                    self.lost += 1
                    continue
                head, _, body = rec.decode("utf-8", "replace").partition(";")
                text = body.split("\n", 1)[0]
                text = re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), text)
                usec = int(head.split(",")[2])
                self.records.append((usec, text))
            if self.stop:
                return

    def mark(self, tag):
        """Write a marker record: its kernel timestamp places a harness note among the kernel's lines."""
        w = os.open("/dev/kmsg", os.O_WRONLY)
        os.write(w, f"oomlab-mark {tag}\n".encode())
        os.close(w)

    def close(self):
        time.sleep(0.4)
        self.stop = True
        self.thread.join()
        os.close(self.fd)

    @staticmethod
    def fmt(usec, text):
        return f"[{usec // 1000000:5d}.{usec % 1000000:06d}] {text}"


def our_lines(records, name, pids):
    """The records that belong to this scenario: whole OOM events whose text names its cgroup, plus the
    lone 'Killed process' / 'oom_reaper' lines of our pids (an event whose report the rate limit cut)."""
    out = []
    i = 0
    n = len(records)
    while i < n:
        usec, text = records[i]
        starts = "invoked oom-killer" in text
        if "callbacks suppressed" in text and i + 1 < n and "invoked oom-killer" in records[i + 1][1]:
            starts = True
        if starts:
            j = i
            while j < n and not ("Killed process" in records[j][1] or "no killable processes" in records[j][1]):
                j += 1
            block = [r for r in records[i:j + 1] if not r[1].startswith("oomlab-mark ")]
            if any(name in t for _, t in block):
                out.extend(block)
            i = j + 1
            continue
        m = re.search(r"(?:Killed process|reaped process) (\d+)", text)
        if m and int(m.group(1)) in pids:
            out.append(records[i])
        i += 1
    return out


# ---------------------------------------------------------------------------------------------------------
# C shapes
# ---------------------------------------------------------------------------------------------------------

def build_helper():
    src = os.path.join(HERE, "holder.c")
    d = tempfile.mkdtemp(prefix="oomlab-cc-")
    exe = os.path.join(d, "holder")
    subprocess.run(["cc", "-O2", "-pthread", "-o", exe, src], check=True)
    return d, exe


def set_subreaper():
    """Orphans (vfork children, sharers, COW children whose parent died) come back to us to be reaped."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def lab_commit():
    """The commit of tests/lab that made a scenario (with -dirty when its files differ from it)."""
    try:
        h = subprocess.run(["git", "-C", HERE, "log", "-1", "--format=%h", "--", "."], capture_output=True, text=True).stdout.strip()
        d = subprocess.run(["git", "-C", HERE, "status", "--porcelain", "--", "."], capture_output=True, text=True).stdout.strip()
        return (h or "unknown") + ("-dirty" if d else "")
    except OSError:
        return "unknown"


def rd(path, default=None):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def wr(path, value):
    with open(path, "w") as f:
        f.write(str(value))


class Scenario:
    def __init__(self, shape, seed, outdir, exe):
        self.shape, self.seed, self.outdir, self.exe = shape, seed, outdir, exe
        self.rnd = random.Random(f"{shape}-{seed}")
        self.name = f"oomlab-{os.getpid()}-{shape}-{seed}"
        self.top = os.path.join(ROOT, self.name)
        self.groups = []        # cgroup dirs, created in order (removed in reverse)
        self.procs = {}         # pid -> ground truth
        self.files = []         # paths to delete
        self.notes = []         # (usec, "# ...") harness notes
        self.deaths = {}        # pid -> dict
        self.readers = {}       # grower pid -> ready fd
        self.harness_killed = set()
        self.cleaning = False
        self.storm = shape.endswith("-storm")

    # --- cgroups -------------------------------------------------------------------------------------
    def mkgroup(self, path, limit_mb=None):
        os.mkdir(path)
        self.groups.append(path)
        if limit_mb:
            wr(os.path.join(path, "memory.limit_in_bytes"), limit_mb << 20)
        return path

    def lab(self, path):
        return "/lab" + path[len(ROOT):]

    def tree(self, limit_mb, children=None):
        self.limit_mb = limit_mb
        self.mkgroup(self.top, limit_mb)
        k = self.rnd.choice([0, 0, 1, 2, 3]) if children is None else children
        return [self.top] + [self.mkgroup(os.path.join(self.top, f"c{i}")) for i in range(k)]

    # --- processes -----------------------------------------------------------------------------------
    def spawn(self, cg, args, keep_reader=False):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                if cg:
                    wr(os.path.join(cg, "cgroup.procs"), os.getpid())
                os.set_inheritable(w, True)
                os.execv(self.exe, [self.exe, "-r", str(w)] + [str(a) for a in args])
            finally:
                os._exit(127)
        os.close(w)
        buf = b""
        deadline = time.time() + 30
        while not buf.endswith(b"R\n") and time.time() < deadline:
            ready, _, _ = select.select([r], [], [], 0.5)
            if ready:
                chunk = os.read(r, 4096)
                if not chunk:
                    break
                buf += chunk
        if not buf.endswith(b"R\n"):
            raise RuntimeError(f"holder {pid} {args} did not get ready: {buf!r}")
        made = []
        for line in buf.decode().splitlines():
            f = line.split()
            if f[0] == "P":
                made.append((int(f[1]), f[2]))
                self.procs.setdefault(int(f[1]), dict(pid=int(f[1]), tids=[]))["role"] = f[2]
            elif f[0] == "T":
                self.procs.setdefault(int(f[1]), dict(pid=int(f[1]), tids=[]))["tids"].append(int(f[2]))
        if keep_reader:
            self.readers[pid] = r
        else:
            os.close(r)
        for p, _ in made:
            self.procs[p]["cgroup"] = self.lab(self.cgroup_of(p))
            self.procs[p]["spawn_args"] = [str(a).replace(ROOT, "/lab") for a in args]
        return made

    def cgroup_of(self, pid):
        for l in (rd(f"/proc/{pid}/cgroup") or "").splitlines():
            if ":memory:" in l:
                return MOUNT + l.split(":", 2)[2].strip()
        return ""

    def holder_args(self, anon=0, sanon=0, file=0, shm=0, shm_path=None, unlink=True, adj=0, threads=0,
                    thread_mib=0, mode="plain", count=0, extra=0, child_adj=None, child_adjs=None,
                    cow_write=0, procs=None):
        a = ["-m", mode, "-j", adj]
        if anon:
            a += ["-a", anon]
        if sanon:
            a += ["-A", sanon]
        if file:
            path = f"/tmp/{self.name}-f{len(self.files)}"
            self.files.append(path)
            a += ["-f", file, "-F", path]
        if shm:
            a += ["-s", shm, "-S", shm_path] + (["-u"] if unlink else [])
            self.files.append(shm_path)
        if threads:
            a += ["-t", threads]
        if thread_mib:
            a += ["-T", thread_mib]
        if count:
            a += ["-n", count]
        if extra:
            a += ["-k", extra]
        if child_adj is not None:
            a += ["-K", child_adj]
        if child_adjs:
            a += ["-J", ",".join(str(x) for x in child_adjs)]
        if cow_write:
            a += ["-w", cow_write]
        if procs:
            a += ["-c", procs]
        return a

    def random_holder(self, groups, share, **over):
        rnd = self.rnd
        kw = dict(anon=rnd.randint(1, max(1, share)),
                  sanon=rnd.choice([0, 0, 0, 0, rnd.randint(1, max(1, share // 3))]),
                  file=rnd.choice([0, 0, rnd.randint(1, max(1, share // 2))]),
                  adj=rnd.choice([0, 0, 0, rnd.randint(0, 1000), rnd.choice([1, 500, 999, 1000])]),
                  threads=rnd.choice([0, 0, 0, 2, 5]))
        shm = rnd.choice([0, 0, 0, rnd.randint(1, max(1, share // 3))])
        if shm:
            kw.update(shm=shm, shm_path=f"/dev/shm/{self.name}-s{len(self.files)}", unlink=True)
        kw.update(over)
        cg = rnd.choice(groups)
        made = self.spawn(cg, self.holder_args(**kw))
        for p, _ in made:
            self.procs[p]["alloc_mib"] = {k: v for k, v in kw.items() if k in ("anon", "sanon", "file", "shm", "thread_mib", "extra")}
        return made

    def usage_mb(self):
        """What the limit's memcg holds that reclaim cannot take back (no swap here): anon and shmem."""
        stat = dict(l.split() for l in (rd(os.path.join(self.top, "memory.stat"), "") or "").splitlines())
        return (int(stat.get("total_rss", 0)) + int(stat.get("total_shmem", 0))) >> 20

    # --- observation ---------------------------------------------------------------------------------
    def all_pids(self):
        pids = set(self.procs)
        for g in self.groups:
            pids.update(int(p) for p in (rd(os.path.join(g, "cgroup.procs"), "") or "").split())
        return sorted(pids)

    def snapshot(self):
        snap = {}
        for pid in self.all_pids():
            st = rd(f"/proc/{pid}/status")
            if st is None:
                continue
            s = dict(oom_score=int((rd(f"/proc/{pid}/oom_score", "0") or "0").strip() or 0),
                     oom_score_adj=int((rd(f"/proc/{pid}/oom_score_adj", "0") or "0").strip() or 0))
            for l in st.splitlines():
                k, _, v = l.partition(":")
                if k in ("State", "Tgid", "PPid", "Threads", "VmRSS", "RssAnon", "RssFile", "RssShmem"):
                    s[k] = v.strip()
            try:
                s["tids"] = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
            if s.get("State", "").startswith("Z"):
                # an exited leader: what its live threads' status says (the leader's own is empty)
                for t in s.get("tids", []):
                    tst = rd(f"/proc/{pid}/task/{t}/status") or ""
                    f = dict((l.partition(":")[0], l.partition(":")[2].strip()) for l in tst.splitlines())
                    if f.get("State", "Z").startswith("Z"):
                        continue
                    s["live_thread"] = {"tid": t, **{k: f[k] for k in ("State", "VmRSS", "RssAnon", "RssFile", "RssShmem") if k in f}}
                    break
            roll = rd(f"/proc/{pid}/smaps_rollup")
            if roll:
                s["smaps_rollup_kb"] = {l.split(":")[0]: int(l.split()[1]) for l in roll.splitlines()[1:] if l.split()[-1] == "kB"}
            s["cgroup"] = self.lab(self.cgroup_of(pid))
            snap[str(pid)] = s
        return snap

    def memcg_state(self):
        out = {}
        for g in self.groups:
            stat = {}
            for l in (rd(os.path.join(g, "memory.stat"), "") or "").splitlines():
                k, v = l.split()
                if k in ("cache", "rss", "shmem", "mapped_file", "total_cache", "total_rss", "total_shmem", "total_mapped_file"):
                    stat[k] = int(v)
            oc = dict(l.split() for l in (rd(os.path.join(g, "memory.oom_control"), "") or "").splitlines())
            out[self.lab(g)] = dict(usage=int(rd(os.path.join(g, "memory.usage_in_bytes"), "0")),
                                    limit=int(rd(os.path.join(g, "memory.limit_in_bytes"), "0")),
                                    failcnt=int(rd(os.path.join(g, "memory.failcnt"), "0")),
                                    oom_control={k: int(v) for k, v in oc.items()}, stat=stat)
        return out

    def note(self, kmsg, text):
        """A '# ' line in the log, placed in time by a marker written just before its figures were read."""
        tag = f"{self.name}-{len(self.notes)}"
        kmsg.mark(tag)
        self.notes.append([tag, None, "# " + (text() if callable(text) else text)])

    def oom_note(self, kmsg, phase):
        def text():
            parts = []
            for g in self.groups:
                if not os.path.exists(os.path.join(g, "memory.oom_control")):
                    continue
                oc = " ".join((rd(os.path.join(g, "memory.oom_control"), "") or "").split())
                parts.append(f"{self.lab(g)} memory.oom_control: {oc}, usage_in_bytes "
                             f"{(rd(os.path.join(g, 'memory.usage_in_bytes'), '?') or '?').strip()}, failcnt "
                             f"{(rd(os.path.join(g, 'memory.failcnt'), '?') or '?').strip()}")
            alive = sum(1 for p in self.procs if self.alive(p))
            return f"{phase}: " + "; ".join(parts) + f"; processes alive {alive} of {len(self.procs)}"
        self.note(kmsg, text)

    def alive(self, pid):
        """A process lives while one of its threads is not a zombie (an exited leader is a zombie whose
        other threads still run)."""
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return False
        for t in tids:
            st = rd(f"/proc/{pid}/task/{t}/stat")
            if st and st.rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                return True
        return False

    def reap(self, t0):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid not in self.deaths:
                self.deaths[pid] = dict(pid=pid, t=round(time.monotonic() - t0, 3))
                if self.cleaning:
                    self.deaths[pid]["cleanup"] = True
            d = self.deaths[pid]
            if os.WIFSIGNALED(status):
                d["signal"] = os.WTERMSIG(status)
            else:
                d["exit"] = os.WEXITSTATUS(status)

    def watch(self, t0):
        self.reap(t0)
        for pid in list(self.procs):
            if pid not in self.deaths and not self.alive(pid):
                self.deaths[pid] = dict(pid=pid, t=round(time.monotonic() - t0, 3), seen="zombie or gone")

    # --- the run -------------------------------------------------------------------------------------
    def run(self):
        kmsg = self.kmsg = Kmsg()
        self.truth = dict(shape=self.shape, seed=self.seed, cgroup=self.lab(self.top), kernel=os.uname().release,
                          lab_commit=lab_commit())
        try:
            grow = getattr(self, "shape_" + self.shape.replace("-", "_"))()
            self.truth["limit_mb"] = self.limit_mb
            self.truth["before"] = self.snapshot()
            self.truth["memcg_before"] = self.memcg_state()
            t0 = time.monotonic()
            self.t0 = t0
            self.truth["t0_kernel_usec"] = int(t0 * 1e6)
            self.run_grower(kmsg, grow, t0)
            self.truth["memcg_after"] = self.memcg_state()
        finally:
            self.cleanup()
            kmsg.close()
        pids = set(self.procs) | {t for v in self.procs.values() for t in v.get("tids", [])}
        recs = our_lines(kmsg.records, self.name, pids)
        for n in self.notes:
            n[1] = next((u for u, t in kmsg.records if t == f"oomlab-mark {n[0]}"), None)
        recs += [(n[1], n[2]) for n in self.notes if n[1] is not None]
        recs.sort(key=lambda r: r[0])
        own = ROOT[len(MOUNT):]
        lines = [(t if t.startswith("# ") else Kmsg.fmt(u, t)).replace(own + "/", "/lab/") for u, t in recs]
        text = "\n".join(lines) + "\n"
        base = os.path.join(self.outdir, f"{self.shape}-{self.seed:04d}")
        with open(base + ".log", "w") as f:
            f.write(text)
        killed = [int(k) for k in re.findall(r"Killed process (\d+)", text)]
        self.truth["kernel_killed"] = killed
        self.truth["deaths"] = sorted(self.deaths.values(), key=lambda d: d["t"])
        self.truth["harness_killed"] = sorted(self.harness_killed)
        self.truth["processes"] = [self.procs[p] for p in sorted(self.procs)]
        self.truth["kmsg_lost"] = kmsg.lost
        with open(base + ".json", "w") as f:
            json.dump(self.truth, f, indent=1, sort_keys=True)
        return dict(shape=self.shape, seed=self.seed, limit_mb=self.limit_mb, events=len(killed),
                    killed=killed, died=sorted(d["pid"] for d in self.deaths.values() if not d.get("cleanup") and d["pid"] not in self.harness_killed),
                    file=os.path.basename(base + ".log"))

    def run_grower(self, kmsg, grow, t0):
        cg, adj, step, cap = grow["cg"], grow["adj"], grow["step"], grow["cap"]
        made = self.spawn(cg, ["-m", "grow", "-j", adj, "-g", step, "-G", cap, "-i", grow.get("interval", 20)], keep_reader=True)
        gpid = made[0][0]
        self.procs[gpid]["alloc_mib"] = dict(step=step, cap=cap)
        self.grower = gpid
        hook = grow.get("hook")
        limit = time.monotonic() + (25 if self.storm else 15)
        capped = None
        r = self.readers[gpid]
        while time.monotonic() < limit:
            self.watch(t0)
            if hook:
                hook(kmsg, t0)
            if gpid in self.deaths:
                break
            if capped is None and select.select([r], [], [], 0)[0]:
                if b"D" in os.read(r, 64):
                    capped = time.monotonic()
            if capped and time.monotonic() - capped > 1.5:
                break
            time.sleep(0.02)
        time.sleep(0.3)
        self.watch(t0)
        if grow.get("hook"):
            self.oom_note(kmsg, "at the end")

    def cleanup(self):
        self.cleaning = True
        for pid in list(self.procs):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for g in self.groups:
            for _ in range(100):
                left = [int(p) for p in (rd(os.path.join(g, "cgroup.procs"), "") or "").split()]
                if not left:
                    break
                for p in left:
                    try:
                        os.kill(p, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                time.sleep(0.05)
                self.reap(getattr(self, "t0", time.monotonic()))
        time.sleep(0.1)
        self.reap(getattr(self, "t0", time.monotonic()))
        for r in self.readers.values():
            os.close(r)
        for path in self.files:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        for g in reversed(self.groups):
            for _ in range(100):
                try:
                    os.rmdir(g)
                    break
                except OSError:
                    time.sleep(0.05)

    # --- shapes --------------------------------------------------------------------------------------
    def grower_for(self, groups, over_mb=None, adj=None):
        """A grower that goes over the limit by a little (one or two events) or, in storms, far."""
        rnd = self.rnd
        head = max(0, self.limit_mb - self.usage_mb())
        cap = head + (over_mb if over_mb is not None else rnd.randint(4, 16))
        if self.storm:
            cap = head + self.limit_mb * 2
        return dict(cg=rnd.choice(groups), adj=rnd.choice([0, 0, rnd.randint(0, 1000)]) if adj is None else adj,
                    step=rnd.choice([1, 2, 4]), cap=cap)

    def sizes(self, special, others):
        """MiB for each special holder (together 40-65% of the limit, so the shape is often the kernel's
        choice and not always) and for each other holder (together about 15%)."""
        rnd = self.rnd
        big = max(2, rnd.randint(int(self.limit_mb * 0.4), int(self.limit_mb * 0.65)) // max(1, special))
        return big, max(2, int(self.limit_mb * 0.15) // max(1, others))

    def quiet_grower_adj(self):
        """The grower's adj for the shapes: mostly 0, so a holder of the shape is what the kernel picks."""
        return self.rnd.choice([0, 0, 0, 0, self.rnd.randint(0, 1000)])

    def shape_exec(self):
        rnd = self.rnd
        groups = self.tree(rnd.choice([64, 96, 128, 160, 192]))
        n = rnd.randint(5, 10) if self.storm else rnd.randint(2, 8)
        if not self.storm:
            share = max(1, int(self.limit_mb * 0.6) // n)
            for _ in range(n):
                self.random_holder(groups, share)
            return self.grower_for(groups)
        # storm: holders fill 3/4 of the limit and most carry an adj, so they go one by one before the
        # grower (adj 0) is the biggest
        share = max(1, int(self.limit_mb * 0.75) // n)
        for _ in range(n):
            self.random_holder(groups, share, anon=rnd.randint(share // 2, share),
                               adj=rnd.choice([0, rnd.randint(100, 1000), rnd.randint(100, 1000)]))
        return self.grower_for(groups, adj=0)

    shape_exec_storm = shape_exec

    def mixed(self, most, make):
        """A tree with 1..most special holders (make(groups, big, share) starts one) and 0-3 plain ones,
        in random order."""
        rnd = self.rnd
        groups = self.tree(rnd.choice([64, 96, 128, 160, 192]))
        special = rnd.randint(1, most)
        others = rnd.randint(0, 3)
        big, share = self.sizes(special, others)
        kinds = ["special"] * special + ["plain"] * others
        rnd.shuffle(kinds)
        for kind in kinds:
            if kind == "plain":
                self.random_holder(groups, share)
            else:
                make(groups, big, share)
        return self.grower_for(groups, adj=self.quiet_grower_adj())

    def shape_vfork(self):
        rnd = self.rnd

        def pair(groups, big, share):
            child_adj = rnd.choice([None, None, rnd.randint(0, 1000), 1000, -1000])
            made = self.random_holder(groups, share, mode="vfork", anon=rnd.randint(big // 2, big),
                                      extra=rnd.choice([0, 0, rnd.randint(1, 4)]), child_adj=child_adj,
                                      threads=rnd.choice([0, 0, 2]), shm=0, sanon=0)
            parent = next(p for p, r in made if r == "vfork-parent")
            child = next(p for p, r in made if r == "vfork-child")
            self.procs[parent].update(vfork_child=child, mm=f"vfork:{parent}")
            self.procs[child].update(vfork_parent=parent, mm=f"vfork:{parent}", own_adj=child_adj)

        return self.mixed(3, pair)

    def shape_clonevm(self):
        rnd = self.rnd

        def sharers(groups, big, share):
            count = rnd.randint(1, 3)
            extra = rnd.choice([0, 0, rnd.randint(1, 3)])
            made = self.random_holder(groups, share, mode="clonevm", count=count, anon=rnd.randint(big // 2, big),
                                      extra=extra, threads=rnd.choice([0, 0, 2]), sanon=0)
            parent = next(p for p, r in made if r == "clonevm-parent")
            them = [p for p, r in made if r == "clonevm-sharer"]
            for p in [parent] + them:
                self.procs[p].update(mm=f"clonevm:{parent}", mm_sharers=[parent] + them)
            if rnd.random() < 0.4:
                # a write to one sharer's oom_score_adj reaches every process of the mm (MMF_MULTIPROCESS)
                who = rnd.choice(them)
                adj = rnd.randint(0, 1000)
                wr(f"/proc/{who}/oom_score_adj", adj)
                self.procs[who]["adj_written_by_harness"] = adj

        return self.mixed(2, sharers)

    def shape_exitleader(self):
        rnd = self.rnd

        def leader(groups, big, share):
            threads = rnd.randint(1, 4)
            tm = rnd.choice([0, 1, 2])
            made = self.random_holder(groups, share, mode="exitleader", threads=threads, thread_mib=tm,
                                      anon=max(1, rnd.randint(big // 2, big) - threads * tm), sanon=0)
            pid = made[0][0]
            for _ in range(100):  # wait until the leader is a zombie with live threads
                if (rd(f"/proc/{pid}/stat") or "").rsplit(")", 1)[-1].split()[:1] == ["Z"]:
                    break
                time.sleep(0.01)
            self.procs[pid].update(leader_exited=True, live_tids=list(self.procs[pid]["tids"]))

        return self.mixed(3, leader)

    def shape_shmem(self):
        rnd = self.rnd
        groups = self.tree(rnd.choice([64, 96, 128, 160, 192]))
        n = rnd.randint(2, 6)
        share = max(2, int(self.limit_mb * 0.6) // n)
        shared_path = None
        for i in range(n):
            linked = rnd.random() < 0.5
            size = rnd.randint(max(1, share // 3), share)
            path = f"/dev/shm/{self.name}-{'k' if linked else 'u'}{i}"
            if linked and shared_path and rnd.random() < 0.5:
                path, size = shared_path  # a second mapper of a kept file: its pages are charged once
            made = self.random_holder(groups, share, anon=rnd.randint(0, share // 2), shm=size, shm_path=path,
                                      unlink=not linked, sanon=0)
            if linked and shared_path is None:
                shared_path = (path, size)
            pid = made[0][0]
            self.procs[pid]["shmem"] = dict(path=path, mib=size, linked=linked)
        self.truth["shmem_files"] = {}
        for p, v in self.procs.items():
            s = v.get("shmem")
            if s:
                f = self.truth["shmem_files"].setdefault(s["path"], dict(mib=s["mib"], linked=s["linked"], mappers=[]))
                f["mappers"].append(p)
        return self.grower_for(groups)

    def shape_cowfork(self):
        rnd = self.rnd
        groups = self.tree(rnd.choice([64, 96, 128, 160, 192]))
        outside = self.mkgroup(os.path.join(ROOT, self.name + "-outside"))  # no limit: the parent's cgroup
        parents = 1 if not self.storm else rnd.randint(1, 2)
        for _ in range(parents):
            count = rnd.randint(4, 8) if self.storm else rnd.randint(2, 5)
            inherited = rnd.randint(self.limit_mb // 4, int(self.limit_mb * 0.6))
            private = rnd.randint(1, max(1, int(self.limit_mb * 0.5) // (count * parents)))
            cow_write = rnd.choice([0, 0, rnd.randint(1, max(1, inherited // 4))])
            adjs = [rnd.choice([0, 0, rnd.randint(0, 1000), 1000]) for _ in range(count)]
            cg = rnd.choice(groups)
            made = self.spawn(outside, self.holder_args(anon=inherited, mode="cowparent", count=count, extra=private,
                                                        cow_write=cow_write, child_adjs=adjs,
                                                        threads=rnd.choice([0, 0, 2]),
                                                        procs=os.path.join(cg, "cgroup.procs")))
            parent = next(p for p, r in made if r == "cow-parent")
            kids = [p for p, r in made if r == "cow-child"]
            self.procs[parent].update(cow_children=kids, alloc_mib=dict(anon=inherited))
            for k in kids:
                self.procs[k].update(cow_parent=parent, alloc_mib=dict(inherited=inherited, private=private, cow_write=cow_write),
                                     cgroup=self.lab(self.cgroup_of(k)))
        for _ in range(rnd.choice([0, 0, 1, 2])):
            self.random_holder(groups, max(2, self.limit_mb // 8))
        return self.grower_for(groups, adj=0 if self.storm else self.quiet_grower_adj())

    shape_cowfork_storm = shape_cowfork

    def shape_oomdisable(self):
        rnd = self.rnd
        groups = self.tree(rnd.choice([64, 96, 128, 160, 192]))
        n = rnd.randint(2, 6)
        share = max(1, int(self.limit_mb * 0.6) // n)
        for _ in range(n):
            self.random_holder(groups, share)
        wr(os.path.join(self.top, "memory.oom_control"), 1)
        action = rnd.choice(["clear", "free-then-clear", "free-then-clear"])
        self.truth["oomdisable_action"] = action
        state = dict(phase="wait", since=None)

        def hook(kmsg, t0):
            under = "under_oom 1" in (rd(os.path.join(self.top, "memory.oom_control"), "") or "")
            now = time.monotonic()
            if state["phase"] == "wait" and under:
                self.oom_note(kmsg, "grower waits")
                state.update(phase="blocked", since=now)
            elif state["phase"] == "blocked" and now - state["since"] > 2:
                self.oom_note(kmsg, "after 2 s blocked")
                if action == "free-then-clear":
                    victims = [p for p, v in self.procs.items() if v.get("role") == "holder" and self.alive(p)]
                    big = max(victims, key=lambda p: int((rd(f"/proc/{p}/statm") or "0 0").split()[1]))
                    os.kill(big, signal.SIGKILL)
                    self.harness_killed.add(big)
                    self.note(kmsg, f"harness killed {big} (SIGKILL) to free memory")
                    state.update(phase="freed", since=now)
                else:
                    wr(os.path.join(self.top, "memory.oom_control"), 0)
                    self.oom_note(kmsg, "oom_kill_disable cleared")
                    state.update(phase="cleared", since=now)
            elif state["phase"] == "freed" and now - state["since"] > 1.5:
                self.oom_note(kmsg, "1.5 s after the harness kill")
                wr(os.path.join(self.top, "memory.oom_control"), 0)
                self.oom_note(kmsg, "oom_kill_disable cleared")
                state.update(phase="cleared", since=now)
            elif state["phase"] == "cleared" and now - state["since"] > 1:
                self.oom_note(kmsg, "1 s after clearing")
                state.update(phase="done")

        self.oom_note(self.kmsg, "before the grower")
        # far enough over the limit that the grower waits again after the harness frees memory
        g = self.grower_for(groups, over_mb=rnd.randint(self.limit_mb // 2, self.limit_mb))
        g["hook"] = hook
        return g


def describe(outdir):
    """README.txt for a folder of scenarios: each file, its shape and what the kernel killed."""
    import glob
    rows = []
    for js in sorted(glob.glob(os.path.join(outdir, "*.json"))):
        d = json.load(open(js))
        log = js[:-5] + ".log"
        text = open(log).read() if os.path.exists(log) else ""
        roles = {}
        for p in d["processes"]:
            roles[p["pid"]] = p.get("role", "?")
            for t in p.get("tids", []):
                roles.setdefault(t, p.get("role", "?") + " thread")
        killed = [int(k) for k in re.findall(r"Killed process (\d+)", text)]
        reports = text.count("invoked oom-killer")
        kpids = set(killed)
        tg = {t: p["pid"] for p in d["processes"] for t in p.get("tids", [])}
        kpids |= {tg[k] for k in killed if k in tg}
        silent = [x["pid"] for x in d["deaths"] if not x.get("cleanup") and x["pid"] not in kpids
                  and x["pid"] not in d.get("harness_killed", [])]
        def named(pids):
            return ", ".join(f"{k} ({roles.get(k, 'unknown')})" for k in pids) or "-"

        special = []
        for p in d["processes"]:
            r = p.get("role")
            if r == "vfork-child":
                special.append(f"{p['pid']} vfork child of {p['vfork_parent']}")
            elif r == "clonevm-parent":
                special.append("CLONE_VM " + "+".join(str(x) for x in p["mm_sharers"]))
            elif r == "exited-leader":
                special.append(f"{p['pid']} exited leader, live tids {' '.join(str(t) for t in p['tids'])}")
            elif r == "cow-parent":
                special.append(f"COW parent {p['pid']} (outside) of {' '.join(str(c) for c in p['cow_children'])}")
        for path, f in sorted(d.get("shmem_files", {}).items()):
            special.append(f"shmem {f['mib']} MiB {'linked' if f['linked'] else 'unlinked'} mapped by {' '.join(str(m) for m in f['mappers'])}")
        if d.get("oomdisable_action"):
            special.append(f"oom_kill_disable=1, then {d['oomdisable_action']}")
            if d.get("harness_killed"):
                special.append("harness SIGKILLed " + " ".join(str(x) for x in d["harness_killed"]))
        rows.append(f"{os.path.basename(log)}\t{d['shape']}\tlimit {d['limit_mb']} MiB\t{reports} reports, {len(killed)} kills\t"
                    f"kernel killed: {named(killed)}\t"
                    f"died with them: {named(silent)}\t"
                    f"{'; '.join(special)}\tlab {d.get('lab_commit', '?')}")
    head = ("Real memcg OOM reports from Linux " + os.uname().release + " (cgroup v1), made by tests/lab/oomlab.py --shape SHAPE.\n"
            "Each <shape>-<seed>.log holds every OOM event the kernel logged for one scenario (cgroup prefix rewritten to /lab;\n"
            "'# ' lines are harness notes). <shape>-<seed>.json is the ground truth the kernel does not print: a replay must not\n"
            "read it. Columns: file, shape, limit, events ('reports' = full reports, 'kills' = Killed process lines; fewer reports\n"
            "than kills means the kernel's rate limit cut some), the pids in the kernel's 'Killed process' lines with their\n"
            "role, processes that died in the run without a line of their own (mm sharers killed with the victim), and the shape's\n"
            "hidden structure, and the commit of tests/lab that made it (the same commit and seed make the same scenario).\n\n")
    with open(os.path.join(outdir, "README.txt"), "w") as f:
        f.write(head + "\n".join(rows) + "\n")


SHAPES = ["python", "exec", "exec-storm", "vfork", "clonevm", "exitleader", "shmem", "cowfork", "cowfork-storm", "oomdisable"]


def run_shape(shape, seed, outdir, exe):
    sc = Scenario(shape, seed, outdir, exe)
    return sc.run()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shape", default="python", choices=SHAPES)
    if "--describe" in sys.argv:
        describe(sys.argv[sys.argv.index("--describe") + 1])
        sys.exit(0)
    ap.add_argument("outdir")
    ap.add_argument("first", type=int)
    ap.add_argument("last", type=int, help="exclusive")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    if a.shape == "python":
        for s in range(a.first, a.last):
            print(json.dumps(run(s, a.outdir)), flush=True)
        sys.exit(0)
    set_subreaper()
    ccdir, exe = build_helper()
    try:
        for s in range(a.first, a.last):
            if a.shape.endswith("-storm"):
                time.sleep(5)  # let the kernel's report rate limit (10 per 5 s) refill between storms
            print(json.dumps(run_shape(a.shape, s, a.outdir, exe)), flush=True)
    finally:
        shutil.rmtree(ccdir, ignore_errors=True)
