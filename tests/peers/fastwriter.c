// Appends "L <seq> xxxx...\n" lines to FILE as fast as it can for SECS seconds, then prints how many it wrote.
// Mode "line": one write(2) per line (a logger that flushes every line); "block": 64 KiB buffered writes.
// usage: fastwriter FILE SECS line|block
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: fastwriter FILE SECS line|block\n");
        return 2;
    }
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    double end = now() + atof(argv[2]);
    int block = strcmp(argv[3], "block") == 0;
    static char buf[65536 + 256];
    size_t used = 0;
    unsigned long n = 0;
    for (;;) {
        if ((n & 1023) == 0 && now() >= end) { // the clock is read once per 1024 lines: cheap enough not to matter
            break;
        }
        char line[128];
        int len = snprintf(line, sizeof line, "L %lu xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", n);
        if (block) {
            memcpy(buf + used, line, len);
            used += len;
            if (used >= 65536) {
                if (write(fd, buf, used) < 0) {
                    return 1;
                }
                used = 0;
            }
        } else if (write(fd, line, len) < 0) {
            return 1;
        }
        n++;
    }
    if (used && write(fd, buf, used) < 0) {
        return 1;
    }
    printf("%lu\n", n);
    return 0;
}
