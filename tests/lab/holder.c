/*
 * holder.c - the memory holder that oomlab.py execs for its C shapes (exec, vfork, clonevm, exitleader,
 * shmem, cowfork, oomdisable).  An exec'd program starts with a fresh mm: nothing it maps is copy-on-write
 * shared with the Python harness, so the kernel's rss for it is exactly what it allocates here.
 *
 * Build: cc -O2 -pthread -o holder holder.c   (oomlab.py does this at run time in a temp dir)
 *
 * It allocates and touches memory, sets its oom_score_adj, builds the requested process shape, reports
 * the ids it made on the ready fd (lines "P <pid> <role>", "T <tgid> <tid>", then "R") and sleeps until
 * it is killed.  alarm() ends a forgotten holder after -L seconds.
 *
 * Options:
 *   -r FD       ready fd (inherited pipe)          -j ADJ     oom_score_adj
 *   -a MIB      private anon                        -A MIB     MAP_SHARED anon
 *   -f MIB      file pages (file -F PATH, read-mapped, unlinked once mapped)
 *   -s MIB      shmem: tmpfs file -S PATH mapped MAP_SHARED and touched; -u unlinks it once mapped
 *   -t N        extra threads (sleeping)            -T MIB     private anon each extra thread touches
 *   -m MODE     plain | vfork | clonevm | exitleader | cowparent | grow
 *   -n N        clonevm: sharers; cowparent: children
 *   -k MIB      vfork child / each clonevm sharer touches this much more anon in the shared mm;
 *               cowparent: each child touches this much private anon of its own
 *   -K ADJ      vfork child: its own oom_score_adj (a vfork child's write does not reach its parent)
 *   -J a,b,..   cowparent: each child's oom_score_adj
 *   -w MIB      cowparent: each child writes this much of the inherited pages (breaks COW: private copies)
 *   -c PATH     cowparent: cgroup.procs each child moves itself into (the parent stays where it is)
 *   -g MIB -G MIB -i MS   grow: step, cap, pause between steps ("D" on the ready fd once the cap is reached)
 *   -L SEC      safety alarm (default 240)
 *
 * vfork: the child shares the parent's mm and stack while the parent is blocked in vfork().  The child
 * here uses raw system calls only and never returns from the function that called vfork(): returning
 * would pop the frame the blocked parent still needs, and exit() would run the parent's atexit handlers
 * and flush its stdio buffers.  It sleeps in pause() until the kernel (or the harness) kills it.
 * clonevm: clone(CLONE_VM | SIGCHLD) without CLONE_THREAD: separate processes (own tgid, own signal
 * struct) with one mm; they too run raw system calls only (they share the parent's TLS).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1UL << 20)

static int ready_fd = -1;
static long page;

/* A system call without libc: safe in a vfork child and in a CLONE_VM sharer (no errno, no TLS). */
static inline __attribute__((always_inline)) long raw3(long n, long a, long b, long c)
{
#if defined(__x86_64__)
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return ret;
#else
	return syscall(n, a, b, c);
#endif
}

static inline __attribute__((always_inline)) long raw6(long n, long a, long b, long c, long d, long e, long f)
{
#if defined(__x86_64__)
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
#else
	return syscall(n, a, b, c, d, e, f);
#endif
}

/* Format "<tag> <a> <b> <word>\n" into buf without libc; returns its length. */
static inline __attribute__((always_inline)) int fmt_line(char *buf, char tag, long a, long b, const char *word)
{
	int n = 0;
	buf[n++] = tag;
	long v[2] = {a, b};
	for (int k = 0; k < 2; k++) {
		if (v[k] < 0)
			continue;
		char tmp[24];
		int t = 0;
		long x = v[k];
		do {
			tmp[t++] = '0' + x % 10;
			x /= 10;
		} while (x);
		buf[n++] = ' ';
		while (t)
			buf[n++] = tmp[--t];
	}
	if (word) {
		buf[n++] = ' ';
		while (*word)
			buf[n++] = *word++;
	}
	buf[n++] = '\n';
	return n;
}

static inline __attribute__((always_inline)) void raw_report(char tag, long a, long b, const char *word)
{
	char buf[128];
	int n = fmt_line(buf, tag, a, b, word);
	raw3(SYS_write, ready_fd, (long)buf, n);
}

/* oom_score_adj of the calling process, written with raw system calls (usable from a vfork child). */
static inline __attribute__((always_inline)) void raw_set_adj(long adj)
{
	char buf[24];
	int n = 0, t = 0;
	char tmp[24];
	long x = adj < 0 ? -adj : adj;
	if (adj < 0)
		buf[n++] = '-';
	do {
		tmp[t++] = '0' + x % 10;
		x /= 10;
	} while (x);
	while (t)
		buf[n++] = tmp[--t];
	long fd = raw6(SYS_openat, AT_FDCWD, (long)"/proc/self/oom_score_adj", O_WRONLY, 0, 0, 0);
	if (fd >= 0) {
		raw3(SYS_write, fd, (long)buf, n);
		raw3(SYS_close, fd, 0, 0);
	}
}

/* Map and touch mib MiB of anonymous memory with raw system calls. */
static inline __attribute__((always_inline)) void raw_touch_anon(long mib)
{
	if (mib <= 0)
		return;
	long p = raw6(SYS_mmap, 0, mib * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		return;
	for (unsigned long off = 0; off < (unsigned long)mib * MIB; off += 4096)
		((volatile char *)p)[off] = 1;
}

static inline __attribute__((always_inline)) void raw_sleep_forever(long alarm_s)
{
	raw3(SYS_alarm, alarm_s, 0, 0);
	for (;;)
		raw3(SYS_pause, 0, 0, 0);
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (write(ready_fd, buf, n) != n)
		die("ready write");
}

static void touch(char *p, unsigned long len, int write)
{
	volatile unsigned long sum = 0;
	for (unsigned long off = 0; off < len; off += page) {
		if (write)
			p[off] = 1;
		else
			sum += (unsigned char)p[off];
	}
}

static char *anon(long mib, int shared)
{
	if (mib <= 0)
		return NULL;
	char *p = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap anon");
	touch(p, mib * MIB, 1);
	return p;
}

static void file_pages(long mib, const char *path)
{
	if (mib <= 0 || !path)
		return;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("open file");
	char *buf = calloc(1, MIB);
	memset(buf, 1, MIB);
	for (long i = 0; i < mib; i++)
		if (write(fd, buf, MIB) != (ssize_t)MIB)
			die("write file");
	free(buf);
	char *p = mmap(NULL, mib * MIB, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap file");
	touch(p, mib * MIB, 0);
	unlink(path);
	close(fd);
}

static void shmem_pages(long mib, const char *path, int do_unlink)
{
	if (mib <= 0 || !path)
		return;
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		die("open shmem");
	if (ftruncate(fd, mib * MIB))
		die("ftruncate shmem");
	char *p = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap shmem");
	touch(p, mib * MIB, 1);
	if (do_unlink)
		unlink(path);
	close(fd);
}

static long thread_mib;
static pthread_barrier_t started;

static void *sleeper(void *arg)
{
	(void)arg;
	if (thread_mib)
		anon(thread_mib, 0);
	report("T %d %ld\n", getpid(), (long)syscall(SYS_gettid));
	pthread_barrier_wait(&started);
	for (;;)
		pause();
	return NULL;
}

static void start_threads(int n)
{
	if (n <= 0)
		return;
	pthread_barrier_init(&started, NULL, n + 1);
	for (int i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, sleeper, NULL))
			die("pthread_create");
	}
	pthread_barrier_wait(&started);
}

static void set_adj(long adj)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "w");
	if (!f || fprintf(f, "%ld", adj) < 0 || fclose(f))
		die("oom_score_adj");
}

/* CLONE_VM sharer: same mm as its parent, its own process.  Raw calls only. */
static long sharer_mib;
static long sharer_alarm;
static volatile int sharers_ready; /* one mm: the parent sees the sharers' increments */
static int sharer_main(void *arg)
{
	(void)arg;
	raw_touch_anon(sharer_mib);
	long pid = raw3(SYS_getpid, 0, 0, 0);
	raw_report('P', pid, -1, "clonevm-sharer");
	__atomic_add_fetch(&sharers_ready, 1, __ATOMIC_SEQ_CST);
	raw_sleep_forever(sharer_alarm);
	return 0;
}

/* vfork: the child runs here until it is killed; it never returns from this function. */
static __attribute__((noinline)) void vfork_pair(long child_mib, long child_adj, int set_child_adj, long alarm_s)
{
	pid_t pid = vfork();
	if (pid < 0)
		die("vfork");
	if (pid == 0) {
		if (set_child_adj)
			raw_set_adj(child_adj);
		raw_touch_anon(child_mib);
		long me = raw3(SYS_getpid, 0, 0, 0);
		raw_report('P', me, -1, "vfork-child");
		raw3(SYS_write, ready_fd, (long)"R\n", 2);
		raw_sleep_forever(alarm_s);
	}
	/* the parent resumes only when the child dies (it never execs) */
	for (;;)
		pause();
}

static int parse_list(const char *s, long *out, int max)
{
	int n = 0;
	while (s && *s && n < max) {
		out[n++] = strtol(s, (char **)&s, 10);
		if (*s == ',')
			s++;
	}
	return n;
}

int main(int argc, char **argv)
{
	long adj = 0, anon_mib = 0, sanon_mib = 0, file_mib = 0, shm_mib = 0, extra_mib = 0, cow_write = 0;
	long step = 0, cap = 0, interval = 20, alarm_s = 240, child_adj = 0;
	int set_adj_flag = 0, set_child_adj = 0, threads = 0, count = 0, do_unlink = 0, nadj = 0;
	long child_adjs[64];
	const char *file_path = NULL, *shm_path = NULL, *mode = "plain", *procs = NULL;
	int c;
	page = sysconf(_SC_PAGESIZE);
	while ((c = getopt(argc, argv, "r:j:a:A:f:F:s:S:ut:T:m:n:k:K:J:w:c:g:G:i:L:")) != -1) {
		switch (c) {
		case 'r': ready_fd = atoi(optarg); break;
		case 'j': adj = atol(optarg); set_adj_flag = 1; break;
		case 'a': anon_mib = atol(optarg); break;
		case 'A': sanon_mib = atol(optarg); break;
		case 'f': file_mib = atol(optarg); break;
		case 'F': file_path = optarg; break;
		case 's': shm_mib = atol(optarg); break;
		case 'S': shm_path = optarg; break;
		case 'u': do_unlink = 1; break;
		case 't': threads = atoi(optarg); break;
		case 'T': thread_mib = atol(optarg); break;
		case 'm': mode = optarg; break;
		case 'n': count = atoi(optarg); break;
		case 'k': extra_mib = atol(optarg); break;
		case 'K': child_adj = atol(optarg); set_child_adj = 1; break;
		case 'J': nadj = parse_list(optarg, child_adjs, 64); break;
		case 'w': cow_write = atol(optarg); break;
		case 'c': procs = optarg; break;
		case 'g': step = atol(optarg); break;
		case 'G': cap = atol(optarg); break;
		case 'i': interval = atol(optarg); break;
		case 'L': alarm_s = atol(optarg); break;
		default: fprintf(stderr, "holder: bad option\n"); return 2;
		}
	}
	if (ready_fd < 0)
		ready_fd = 1;
	alarm(alarm_s);
	if (set_adj_flag)
		set_adj(adj);

	if (!strcmp(mode, "grow")) {
		report("P %d grower\nR\n", getpid());
		long done = 0;
		while (!cap || done < cap) {
			anon(step, 0);
			done += step;
			usleep(interval * 1000);
		}
		report("D\n");
		for (;;)
			pause();
	}

	char *cow = anon(anon_mib, 0);
	anon(sanon_mib, 1);
	file_pages(file_mib, file_path);
	shmem_pages(shm_mib, shm_path, do_unlink);

	if (!strcmp(mode, "cowparent")) {
		/* The parent touched its pages where it runs (outside the OOM cgroup); each child moves itself
		 * into the cgroup, so the shared pages stay charged to the parent's cgroup. */
		int sync[2];
		if (pipe(sync))
			die("pipe");
		report("P %d cow-parent\n", getpid());
		for (int i = 0; i < count; i++) {
			pid_t pid = fork();
			if (pid < 0)
				die("fork");
			if (pid == 0) {
				alarm(alarm_s);
				if (procs) {
					FILE *f = fopen(procs, "w");
					if (!f || fprintf(f, "%d", getpid()) < 0 || fclose(f))
						die("cgroup.procs");
				}
				set_adj(i < nadj ? child_adjs[i] : adj);
				if (cow && cow_write > 0)
					touch(cow, (cow_write < anon_mib ? cow_write : anon_mib) * MIB, 1);
				anon(extra_mib, 0);
				start_threads(threads);
				report("P %d cow-child\n", getpid());
				if (write(sync[1], "x", 1) != 1)
					die("sync");
				for (;;)
					pause();
			}
			char x;
			if (read(sync[0], &x, 1) != 1)
				die("sync read");
		}
		report("R\n");
		for (;;)
			pause();
	}

	if (!strcmp(mode, "clonevm")) {
		sharer_mib = extra_mib;
		sharer_alarm = alarm_s;
		report("P %d clonevm-parent\n", getpid());
		for (int i = 0; i < count; i++) {
			size_t stack_size = 64 * 1024;
			char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (stack == MAP_FAILED)
				die("mmap stack");
			if (clone(sharer_main, stack + stack_size, CLONE_VM | SIGCHLD, NULL) < 0)
				die("clone");
		}
		start_threads(threads);
		/* the sharers report themselves; wait until all have touched their memory */
		while (__atomic_load_n(&sharers_ready, __ATOMIC_SEQ_CST) < count)
			usleep(10 * 1000);
		report("R\n");
		for (;;)
			pause();
	}

	start_threads(threads);

	if (!strcmp(mode, "exitleader")) {
		/* the main thread leaves; the other threads keep the mm (and the process) alive */
		report("P %d exited-leader\nR\n", getpid());
		pthread_exit(NULL);
	}

	if (!strcmp(mode, "vfork")) {
		report("P %d vfork-parent\n", getpid());
		vfork_pair(extra_mib, child_adj, set_child_adj, alarm_s);
	}

	report("P %d holder\nR\n", getpid());
	for (;;)
		pause();
}
