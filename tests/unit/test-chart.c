/*
 * The SVG charts: ticks at round numbers that cover the data, a legend
 * only when there is more than one series, a title on every mark, and
 * every string escaped.
 */
#include "test.h"
#include "pm25/buf.h"
#include "pm25/chart.h"

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

TEST(chart_ticks_legend_titles)
{
	static const double a[4] = { 3, 47.5, NAN, 12 }, b[4] = { 1, 2, 3, 4 };
	static const char *const labels[4] = { "<b>", "two", "three", "four" };
	struct pm_chart_series s[2] = { { "first & one", NULL, a, NULL, NULL },
					{ "second", "#00ff00", b, NULL,
					  NULL } };
	struct pm_chart c = { 0 };
	struct pm_buf out = PM_BUF_INIT;

	c.title = "a \"chart\"";
	c.y_unit = "µg/m³";
	c.kind = PM_CHART_BARS;
	c.n = 4;
	c.labels = labels;
	c.series = s;
	c.nseries = 1;
	pm_chart_svg(&out, &c);
	/* 0 to 50 in steps of 10: six ticks, one title per value */
	PM_ASSERT(strstr(out.buf, ">0</text>") &&
		  strstr(out.buf, ">50</text>"));
	PM_ASSERT(!strstr(out.buf, ">60</text>"));
	PM_ASSERT_EQ(count(out.buf, "<rect"), 3);
	PM_ASSERT_EQ(count(out.buf, "<title>"), 3);
	PM_ASSERT(strstr(out.buf, "<title>&lt;b&gt;: 3 µg/m³</title>"));
	PM_ASSERT(strstr(out.buf, "aria-label=\"a &quot;chart&quot;\""));
	PM_ASSERT(strstr(out.buf, "width=\"100%\""));
	PM_ASSERT(!strstr(out.buf, "first"));
	/* two series: a legend with both, escaped */
	pm_buf_reset(&out);
	c.nseries = 2;
	c.kind = PM_CHART_LINES;
	pm_chart_svg(&out, &c);
	PM_ASSERT(strstr(out.buf, ">first &amp; one</text>"));
	PM_ASSERT(strstr(out.buf, ">second</text>"));
	PM_ASSERT(strstr(out.buf, "stroke=\"#00ff00\""));
	/* a gap at the NaN: the first line has two pieces */
	PM_ASSERT(strstr(out.buf, "d=\"M") && count(out.buf, "M") >= 2);
	PM_ASSERT_EQ(count(out.buf, "<circle"), 7);
	pm_buf_release(&out);
}

TEST(chart_time_axis_and_gantt)
{
	/* 2024-01-01 00:00 ICT and the 47 hours after it */
	double x[48], y[48];
	struct pm_chart_series s = { "pm25", NULL, y, NULL, NULL };
	struct pm_gantt_row rows[2] = { { "fetch", NULL, NULL, 0, 1.5 },
					{ "<clean>", NULL, "clean: 2 s", 1.5,
					  3.5 } };
	struct pm_chart c = { 0 };
	struct pm_buf out = PM_BUF_INIT;
	size_t i;

	for (i = 0; i < 48; i++) {
		x[i] = 1704042000.0 + 3600.0 * (double)i;
		y[i] = (double)i;
	}
	c.title = "t";
	c.kind = PM_CHART_LINES;
	c.n = 48;
	c.x = x;
	c.x_time = 1;
	c.series = &s;
	c.nseries = 1;
	pm_chart_svg(&out, &c);
	/* ticks every 6 hours in local time, the date where it changes */
	PM_ASSERT(strstr(out.buf, ">01-01 00:00</text>"));
	PM_ASSERT(strstr(out.buf, ">06:00</text>"));
	PM_ASSERT(strstr(out.buf, ">01-02 00:00</text>"));
	PM_ASSERT(strstr(out.buf, ">time (ICT)</text>"));
	pm_buf_reset(&out);
	pm_chart_gantt(&out, "tasks", rows, 2);
	PM_ASSERT(strstr(out.buf, ">&lt;clean&gt;</text>"));
	PM_ASSERT(strstr(out.buf, "<title>clean: 2 s</title>"));
	PM_ASSERT(strstr(out.buf, "<title>0.000 s to 1.500 s</title>"));
	pm_buf_release(&out);
}
