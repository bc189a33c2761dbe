/*
 * The plain C loop the engine's victim selection is measured against (bench row 1, "select").
 *
 * Usage: select <data file> <runs>
 * The data file is written by OomTools.Bench (PlainTable.WriteBinary), little-endian:
 *   int64 n, int64 totalpages, int64 rss[n], int64 swap[n], int64 pgtables_bytes[n], int16 adj[n]
 * The loop is the badness formula over parallel arrays: points = rss + swap + pgtables / PAGE_SIZE
 * + adj * (totalpages / 1000), adj -1000 skipped, the highest wins, ties to the later task.
 * Prints one line: "chosen <index> points <points> median_ms <ms> runs_ms <ms> <ms> ...".
 * Built by bench/Invoke-Bench.ps1 with the distribution's C compiler: cc -O2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PAGE_SIZE 4096
#define OOM_SCORE_ADJ_MIN (-1000)

/* Not inlined, so no scan is merged with another or hoisted out of the timing loop. */
__attribute__((noinline)) static long select_victim(long n, const int64_t *rss, const int64_t *swap, const int64_t *pgtables,
                          const int16_t *adj, int64_t totalpages, int64_t *chosen_points)
{
    int64_t adj_unit = totalpages / 1000;
    int64_t best = INT64_MIN;
    long chosen = -1;
    for (long i = 0; i < n; i++) {
        int16_t a = adj[i];
        if (a == OOM_SCORE_ADJ_MIN)
            continue;
        int64_t points = rss[i] + swap[i] + pgtables[i] / PAGE_SIZE + a * adj_unit;
        if (points >= best) {
            best = points;
            chosen = i;
        }
    }
    *chosen_points = best;
    return chosen;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void *read_array(FILE *f, size_t count, size_t size)
{
    void *p = malloc(count * size + 1);
    if (!p || fread(p, size, count, f) != count) {
        fprintf(stderr, "select: short data file\n");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: select <data file> <runs>\n");
        return 64;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    int64_t n, totalpages;
    if (fread(&n, sizeof n, 1, f) != 1 || fread(&totalpages, sizeof totalpages, 1, f) != 1 || n < 0) {
        fprintf(stderr, "select: bad header\n");
        return 1;
    }
    int64_t *rss = read_array(f, n, sizeof *rss);
    int64_t *swap = read_array(f, n, sizeof *swap);
    int64_t *pgtables = read_array(f, n, sizeof *pgtables);
    int16_t *adj = read_array(f, n, sizeof *adj);
    fclose(f);

    int runs = atoi(argv[2]);
    if (runs < 1)
        runs = 1;
    double *ms = malloc(sizeof *ms * runs);
    int64_t points = 0;
    long chosen = 0;
    /* Warm-up: at least 5 scans and 0.5 s, as the C# side warms up before it is timed. */
    double start = now_ms();
    for (int i = 0; i < 5 || now_ms() - start < 500; i++)
        chosen = select_victim(n, rss, swap, pgtables, adj, totalpages, &points);
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        chosen = select_victim(n, rss, swap, pgtables, adj, totalpages, &points);
        ms[r] = now_ms() - t0;
    }
    printf("chosen %ld points %lld median_ms ", chosen, (long long)points);
    double *sorted = malloc(sizeof *sorted * runs);
    for (int r = 0; r < runs; r++)
        sorted[r] = ms[r];
    qsort(sorted, runs, sizeof *sorted, cmp_double);
    double median = runs % 2 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
    printf("%.4f runs_ms", median);
    for (int r = 0; r < runs; r++)
        printf(" %.3f", ms[r]);
    printf("\n");
    return 0;
}
