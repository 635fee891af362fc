/*
 * The unit-test kit: assertions that print both operands, and the TEST()
 * definer. Each test runs in its own process (see main.c), so a failed
 * assertion simply exits.
 */
#ifndef PM25_TEST_H
#define PM25_TEST_H

#include "pm25/compat.h"

#define TEST(name)                                                            \
	void test_##name(void);                                               \
	void test_##name(void)

void pm_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#define PM_ASSERT(c)                                                          \
	do {                                                                  \
		if (!(c))                                                     \
			pm_test_fail(__FILE__, __LINE__, "assert(%s)", #c);   \
	} while (0)

#define PM_ASSERT_EQ(a, b)                                                    \
	do {                                                                  \
		long long a_ = (long long)(a), b_ = (long long)(b);           \
		if (a_ != b_)                                                 \
			pm_test_fail(__FILE__, __LINE__,                      \
				     "%s == %s: %lld != %lld", #a, #b, a_,    \
				     b_);                                     \
	} while (0)

#define PM_ASSERT_STR_EQ(a, b)                                                \
	do {                                                                  \
		const char *a_ = (a), *b_ = (b);                              \
		if (!a_ || !b_ || strcmp(a_, b_))                             \
			pm_test_fail(__FILE__, __LINE__,                      \
				     "%s == %s: \"%s\" != \"%s\"", #a, #b,    \
				     a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} while (0)

#define PM_ASSERT_DBL_EQ(a, b)                                                \
	do {                                                                  \
		double a_ = (a), b_ = (b);                                    \
		if (!(a_ == b_ || (isnan(a_) && isnan(b_))))                  \
			pm_test_fail(__FILE__, __LINE__,                      \
				     "%s == %s: %.17g != %.17g", #a, #b, a_,  \
				     b_);                                     \
	} while (0)

/*
 * End the test as skipped, with why: TAP "ok N - name # SKIP why". Only
 * for tests that cannot apply here; the runner counts no pass for it.
 */
void pm_test_skip(const char *why) __attribute__((noreturn));

/* Path of a file in the source tree ($PM25_SRC, default "."). */
const char *pm_test_src(const char *rel);

/* Write text to a new file in the test's scratch directory; returns path. */
const char *pm_test_file(const char *name, const char *text);

#endif
