/*
 * Replays fuzz corpora without libFuzzer: every file named on the command
 * line (directories are walked one level) goes through the target once.
 * `make test` runs this over tests/fuzz/corpus/<target>/, which holds the
 * seeds and every crash found so far.
 */
#include "pm25/compat.h"
#include <dirent.h>
#include <sys/stat.h>
#include "pm25/buf.h"
#include "pm25/fsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	struct pm_buf b = PM_BUF_INIT;
	uint8_t *copy;

	if (pm_file_read(path, 1u << 26, &b, NULL)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return 1;
	}
	/* an exact-size heap copy, so overreads trip the sanitizers */
	copy = malloc(b.len ? b.len : 1);
	if (b.len)
		memcpy(copy, b.buf, b.len);
	LLVMFuzzerTestOneInput(copy, b.len);
	free(copy);
	pm_buf_release(&b);
	return 0;
}

int main(int argc, char **argv)
{
	int i, bad = 0, n = 0;

	for (i = 1; i < argc; i++) {
		struct dirent *de;
		DIR *d = opendir(argv[i]);

		if (!d) {
			bad |= run_file(argv[i]);
			n++;
			continue;
		}
		while ((de = readdir(d))) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 de->d_name);
			bad |= run_file(path);
			n++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", n);
	return bad || !n;
}
