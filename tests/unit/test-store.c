/*
 * The store test suite. Every test runs against each driver in
 * store_drivers(); the local driver uses a repository in the test's
 * scratch directory.
 */
#include "test.h"
#include <sys/wait.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/store.h"
#include "pm25/strv.h"

/*
 * The store of this test: a git repository in the scratch directory, or
 * with PM25_TEST_STORE=lakefs a lakeFS repository named after it.
 */
static struct pm_store *open_store(void)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *s = NULL;
	const char *driver = getenv("PM25_TEST_STORE");
	char where[64] = "repo.git", cwd[512];

	if (driver && !strcmp(driver, "lakefs") && getcwd(cwd, sizeof(cwd))) {
		unsigned long h = 5381;
		const char *p;

		for (p = cwd; *p; p++)
			h = h * 33 + (unsigned char)*p;
		snprintf(where, sizeof(where), "t%08lx", h & 0xffffffffUL);
	}
	if (pm_store_open(&s, driver ? driver : "local", where, 1, &err))
		pm_test_fail(__FILE__, __LINE__, "open: %s", err.buf);
	pm_buf_release(&err);
	return s;
}

static void put_commit(struct pm_store *s, const char *branch,
		       const char *path, const char *text, char *id)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_kv meta[] = { { "run", "r1" }, { "score", "0.99" } };

	if (pm_store_put(s, branch, path, text, strlen(text), &err) ||
	    pm_store_commit(s, branch, "add", meta, 2, id, &err))
		pm_test_fail(__FILE__, __LINE__, "%s", err.buf);
	pm_buf_release(&err);
}

static const char *get(struct pm_store *s, const char *ref, const char *path)
{
	static struct pm_buf out = PM_BUF_INIT;

	pm_buf_reset(&out);
	if (pm_store_get(s, ref, path, &out, NULL))
		return NULL;
	return out.buf;
}

TEST(store_put_commit_get_list)
{
	struct pm_store *s = open_store();
	struct pm_strv l = PM_STRV_INIT;
	char id[PM_ID_MAX], again[PM_ID_MAX];

	put_commit(s, "main", "clean/hourly/date=2024-01-01.csv", "a\n", id);
	PM_ASSERT(strlen(id) >= 7);
	PM_ASSERT_STR_EQ(get(s, "main", "clean/hourly/date=2024-01-01.csv"),
			 "a\n");
	PM_ASSERT(get(s, "main", "clean/nope.csv") == NULL);
	put_commit(s, "main", "stations/stations.csv", "id\n", id);
	PM_ASSERT_EQ(pm_store_list(s, "main", "clean/", &l, NULL), PM_OK);
	PM_ASSERT_EQ(l.nr, 1);
	PM_ASSERT_STR_EQ(l.v[0], "clean/hourly/date=2024-01-01.csv");
	pm_strv_release(&l);
	/* the same content again: no new commit */
	put_commit(s, "main", "stations/stations.csv", "id\n", again);
	PM_ASSERT_STR_EQ(again, "");
	pm_store_close(s);
}

TEST(store_branch_diff_merge)
{
	struct pm_store *s = open_store();
	struct pm_strv b = PM_STRV_INIT;
	struct pm_diff d = { 0 };
	char id[PM_ID_MAX], main_id[PM_ID_MAX];

	put_commit(s, "main", "a.csv", "1\n", id);
	PM_ASSERT_EQ(pm_store_branch_create(s, "etl-1", "main", NULL), PM_OK);
	PM_ASSERT_EQ(pm_store_branch_create(s, "etl-1", "main", NULL),
		     PM_ERR_CONFLICT);
	put_commit(s, "etl-1", "a.csv", "2\n", id);
	put_commit(s, "etl-1", "b.csv", "new\n", id);
	PM_ASSERT_STR_EQ(get(s, "main", "a.csv"), "1\n");
	PM_ASSERT_EQ(pm_store_diff(s, "main", "etl-1", &d, NULL), PM_OK);
	PM_ASSERT_EQ(d.nr, 2);
	PM_ASSERT_STR_EQ(d.e[0].path, "a.csv");
	PM_ASSERT_EQ(d.e[0].kind, PM_DIFF_CHANGED);
	PM_ASSERT_STR_EQ(d.e[1].path, "b.csv");
	PM_ASSERT_EQ(d.e[1].kind, PM_DIFF_ADDED);
	pm_diff_release(&d);
	PM_ASSERT_EQ(pm_store_merge(s, "etl-1", "main", "merge", NULL, 0, id,
				    NULL),
		     PM_OK);
	PM_ASSERT_STR_EQ(get(s, "main", "a.csv"), "2\n");
	pm_store_resolve(s, "main", main_id, NULL);
	PM_ASSERT_STR_EQ(id, main_id);
	/* merging again changes nothing */
	PM_ASSERT_EQ(pm_store_merge(s, "etl-1", "main", "merge", NULL, 0, id,
				    NULL),
		     PM_OK);
	PM_ASSERT_STR_EQ(id, "");
	PM_ASSERT_EQ(pm_store_branches(s, &b, NULL), PM_OK);
	PM_ASSERT_EQ(b.nr, 2);
	PM_ASSERT_STR_EQ(b.v[0], "etl-1");
	PM_ASSERT_STR_EQ(b.v[1], "main");
	pm_strv_release(&b);
	PM_ASSERT_EQ(pm_store_branch_delete(s, "etl-1", NULL), PM_OK);
	PM_ASSERT_EQ(pm_store_branch_delete(s, "main", NULL), PM_ERR_USAGE);
	pm_store_close(s);
}

TEST(store_three_way_merge_and_conflict)
{
	struct pm_store *s = open_store();
	struct pm_buf err = PM_BUF_INIT;
	char id[PM_ID_MAX];

	put_commit(s, "main", "a.csv", "1\n", id);
	pm_store_branch_create(s, "x", "main", NULL);
	pm_store_branch_create(s, "y", "main", NULL);
	put_commit(s, "x", "x.csv", "x\n", id);
	put_commit(s, "y", "y.csv", "y\n", id);
	put_commit(s, "y", "a.csv", "from y\n", id);
	PM_ASSERT_EQ(pm_store_merge(s, "x", "main", "m", NULL, 0, id, NULL),
		     PM_OK);
	/* main moved: y merges with a merge commit, both files present */
	PM_ASSERT_EQ(pm_store_merge(s, "y", "main", "m", NULL, 0, id, NULL),
		     PM_OK);
	PM_ASSERT_STR_EQ(get(s, "main", "x.csv"), "x\n");
	PM_ASSERT_STR_EQ(get(s, "main", "y.csv"), "y\n");
	PM_ASSERT_STR_EQ(get(s, "main", "a.csv"), "from y\n");
	/* both sides change a.csv differently: a conflict, main unchanged */
	pm_store_branch_create(s, "z", "x", NULL);
	put_commit(s, "z", "a.csv", "from z\n", id);
	PM_ASSERT_EQ(pm_store_merge(s, "z", "main", "m", NULL, 0, id, &err),
		     PM_ERR_CONFLICT);
	PM_ASSERT(strstr(err.buf, "a.csv") != NULL);
	PM_ASSERT_STR_EQ(get(s, "main", "a.csv"), "from y\n");
	pm_buf_release(&err);
	pm_store_close(s);
}

TEST(store_revert_log_tag)
{
	struct pm_store *s = open_store();
	struct pm_commit_list log = { 0 };
	char c1[PM_ID_MAX], c2[PM_ID_MAX], id[PM_ID_MAX];

	put_commit(s, "main", "a.csv", "1\n", c1);
	put_commit(s, "main", "a.csv", "2\n", c2);
	PM_ASSERT_EQ(pm_store_revert(s, "main", c2, id, NULL), PM_OK);
	PM_ASSERT_STR_EQ(get(s, "main", "a.csv"), "1\n");
	PM_ASSERT_EQ(pm_store_log(s, "main", 10, &log, NULL), PM_OK);
	PM_ASSERT_EQ(log.nr, 4); /* revert, 2, 1, the first commit */
	PM_ASSERT(strncmp(log.c[0].message, "Revert", 6) == 0);
	PM_ASSERT_STR_EQ(log.c[1].id, c2);
	PM_ASSERT_EQ(log.c[1].nr_meta, 2);
	PM_ASSERT_STR_EQ(log.c[1].meta_keys[0], "run");
	PM_ASSERT_STR_EQ(log.c[1].meta_values[0], "r1");
	pm_commit_list_release(&log);
	PM_ASSERT_EQ(pm_store_tag(s, "v1", c1, NULL), PM_OK);
	PM_ASSERT_EQ(pm_store_tag(s, "v1", c2, NULL), PM_ERR_CONFLICT);
	PM_ASSERT_STR_EQ(get(s, "v1", "a.csv"), "1\n");
	pm_store_close(s);
}

TEST(store_refuses_bad_names)
{
	struct pm_store *s = open_store();
	struct pm_buf out = PM_BUF_INIT, err = PM_BUF_INIT;

	PM_ASSERT(pm_store_valid_branch("etl-2025-05-27T13"));
	PM_ASSERT(!pm_store_valid_branch("etl/2025"));
	PM_ASSERT(!pm_store_valid_branch("-x"));
	PM_ASSERT(!pm_store_valid_path("../etc/passwd"));
	PM_ASSERT(!pm_store_valid_path("a/../b"));
	PM_ASSERT(!pm_store_valid_path("/abs"));
	PM_ASSERT(pm_store_valid_path("raw/air4thai/date=2024-01-01/x.json"));
	PM_ASSERT_EQ(pm_store_get(s, "main", "a/../b", &out, &err),
		     PM_ERR_USAGE);
	PM_ASSERT_EQ(pm_store_get(s, "nope", "a", &out, &err),
		     PM_ERR_NOTFOUND);
	PM_ASSERT_STR_EQ(err.buf, "no such ref: nope");
	PM_ASSERT_EQ(pm_store_branch_create(s, "etl/x", "main", &err),
		     PM_ERR_USAGE);
	pm_buf_release(&out);
	pm_buf_release(&err);
	pm_store_close(s);
}

TEST(store_concurrent_writers_lose_nothing)
{
	struct pm_store *s = open_store();
	pid_t pid[4];
	int i, k, status;
	char id[PM_ID_MAX];
	struct pm_strv l = PM_STRV_INIT;

	pm_store_close(s);
	for (i = 0; i < 4; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			struct pm_store *w = open_store();

			for (k = 0; k < 20; k++) {
				char path[64];

				snprintf(path, sizeof(path), "w%d/f%d.csv", i,
					 k);
				put_commit(w, "main", path, path, id);
			}
			pm_store_close(w);
			exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		waitpid(pid[i], &status, 0);
		PM_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	s = open_store();
	PM_ASSERT_EQ(pm_store_list(s, "main", "", &l, NULL), PM_OK);
	PM_ASSERT_EQ(l.nr, 80);
	pm_strv_release(&l);
	pm_store_close(s);
}

TEST(store_premerge_hook_is_a_gate)
{
	struct pm_store *s = open_store();
	struct pm_buf err = PM_BUF_INIT;
	const char *driver = getenv("PM25_TEST_STORE");
	char id[PM_ID_MAX];

	/* only lakeFS has hooks; the test server refuses failed reports */
	if (!driver || strcmp(driver, "lakefs")) {
		pm_store_close(s);
		pm_test_skip("the local store has no pre-merge hooks "
			     "(store/lakefs-suite runs this)");
	}
	pm_store_branch_create(s, "etl-x", "main", NULL);
	put_commit(s, "etl-x", "quality/date=2024-01-01/x.json",
		   "{\"passed\": false}", id);
	PM_ASSERT_EQ(pm_store_merge(s, "etl-x", "main", "m", NULL, 0, id, &err),
		     PM_ERR_GATE);
	PM_ASSERT(strstr(err.buf, "pre-merge hook") != NULL);
	PM_ASSERT(get(s, "main", "quality/date=2024-01-01/x.json") == NULL);
	pm_buf_release(&err);
	pm_store_close(s);
}

/*
 * A commit of many files (the local store writes them as one pack): the
 * last put of a path wins, equal texts are stored once, listings of a
 * folder and of a prefix, and plain git reads every object.
 */
TEST(store_many_files_in_one_commit)
{
	struct pm_store *s = open_store();
	struct pm_strv l = PM_STRV_INIT;
	struct pm_buf err = PM_BUF_INIT, path = PM_BUF_INIT, text = PM_BUF_INIT;
	const char *pages[3] = { "page 7\n", "page 8\n", "nope\n" };
	size_t lens[3] = { 7, 7, 5 };
	int found[3], i;
	char id[PM_ID_MAX];

	for (i = 0; i < 300; i++) {
		pm_buf_setf(&path, "raw/csv/date=2024-%02d-%02d/p%d.csv",
			    1 + i / 28, 1 + i % 28, i);
		pm_buf_setf(&text, "page %d\n", i % 50);
		PM_ASSERT_EQ(pm_store_put(s, "main", path.buf, text.buf,
					  text.len, &err),
			     PM_OK);
	}
	/* a later put of the same path replaces the first */
	PM_ASSERT_EQ(pm_store_put(s, "main", "raw/csv/date=2024-01-01/p0.csv",
				  "again\n", 6, &err),
		     PM_OK);
	PM_ASSERT_EQ(pm_store_commit(s, "main", "many", NULL, 0, id, &err),
		     PM_OK);
	PM_ASSERT(id[0]);
	PM_ASSERT_STR_EQ(get(s, "main", "raw/csv/date=2024-01-01/p0.csv"),
			 "again\n");
	PM_ASSERT_STR_EQ(get(s, "main", "raw/csv/date=2024-11-20/p299.csv"),
			 "page 49\n");
	PM_ASSERT_EQ(pm_store_list(s, "main", "raw/csv/", &l, NULL), PM_OK);
	PM_ASSERT_EQ(l.nr, 300);
	pm_strv_release(&l);
	PM_ASSERT_EQ(
		pm_store_list(s, "main", "raw/csv/date=2024-02-0", &l, NULL),
		PM_OK);
	PM_ASSERT_EQ(l.nr, 9);
	PM_ASSERT_STR_EQ(l.v[0], "raw/csv/date=2024-02-01/p28.csv");
	pm_strv_release(&l);
	PM_ASSERT_EQ(pm_store_list(s, "main", "raw/json/", &l, NULL), PM_OK);
	PM_ASSERT_EQ(l.nr, 0);
	/* page 7 is p7 (date 01-08), page 8 is p8 and others */
	PM_ASSERT_EQ(pm_store_find_same_many(s, "main",
					     "raw/csv/date=2024-01-08/", pages,
					     lens, 3, found, NULL),
		     PM_OK);
	PM_ASSERT(found[0] && !found[1] && !found[2]);
	if (!getenv("PM25_TEST_STORE") && !system("git --version > /dev/null"))
		PM_ASSERT_EQ(
			system("git --git-dir=repo.git fsck --strict "
			       "--no-progress 2> fsck.err && "
			       "ls repo.git/objects/pack/*.idx > /dev/null"),
			0);
	pm_buf_release(&err);
	pm_buf_release(&path);
	pm_buf_release(&text);
	pm_store_close(s);
}
