/* Benchmark: how long one Argon2id verification (Värn's parameters) takes on this machine. */
#include "auth/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RUNS 20

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    char hash[PASSWORD_HASH_SIZE];
    double ms[RUNS], sum = 0;
    if (auth_init() != 0 || password_hash("correct horse battery staple", hash) != 0) {
        fprintf(stderr, "bench_argon2: cannot hash\n");
        return 1;
    }
    password_verify(hash, "warm-up run, not measured");
    for (int i = 0; i < RUNS; i++) {
        double t0 = now_ms();
        if (!password_verify(hash, "correct horse battery staple")) {
            fprintf(stderr, "bench_argon2: verification failed\n");
            return 1;
        }
        ms[i] = now_ms() - t0;
        sum += ms[i];
    }
    qsort(ms, RUNS, sizeof(ms[0]), compare);
    printf("Argon2id m=19 MiB t=2 p=1, %d verifications: median %.1f ms, mean %.1f ms, "
           "min %.1f ms, max %.1f ms\n",
           RUNS, (ms[RUNS / 2 - 1] + ms[RUNS / 2]) / 2, sum / RUNS, ms[0], ms[RUNS - 1]);
    return 0;
}
