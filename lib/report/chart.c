/*
 * Charts as inline SVG (pm25/chart.h): bars, stacked bars, lines and
 * points over a category or a numeric (or time) axis, and a timeline.
 * Everything is laid out in a viewBox 960 wide that the page scales to
 * its width. Owns nothing past a call.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/chart.h"
#include "pm25/timeutil.h"

#define W 960 /* the default width */
#define RIGHT 16
#define BOTTOM 46
#define CHAR_W 6.6 /* a 12-unit character, about */

static const char *const palette[] = { "#1f6fb2", "#d9730d", "#2a8f3c",
				       "#c23b3b", "#7b4fb2", "#8c6d31",
				       "#c2408f", "#4f5b66" };

const char *pm_chart_colour(size_t i)
{
	return palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

static void text(struct pm_buf *b, const char *s)
{
	if (s)
		pm_buf_add_html(b, s, strlen(s));
}

/* 1, 2 or 5 times a power of ten, about range / want. */
static double nice_step(double range, int want)
{
	double raw = range / want, p, f;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	p = pow(10, floor(log10(raw)));
	f = raw / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/* Decimals that tell ticks step apart. */
static int decimals(double step)
{
	int d = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

	return d > 6 ? 6 : d;
}

/* What a chart is laid out as: its scales and its rows of legend. */
struct layout {
	double left, top, pw, ph; /* the plot */
	double ylo, yhi, ystep;
	double xlo, xhi, xstep; /* numeric x */
	double slot;		/* the width of one x */
	int height;		/* the whole */
};

static double sy(const struct layout *l, double v)
{
	return l->top + l->ph - (v - l->ylo) / (l->yhi - l->ylo) * l->ph;
}

static double sx(const struct pm_chart *c, const struct layout *l, size_t i)
{
	if (!c->x)
		return l->left + l->slot * ((double)i + 0.5);
	return l->left + (c->x[i] - l->xlo) / (l->xhi - l->xlo) * l->pw;
}

static void y_range(const struct pm_chart *c, struct layout *l)
{
	double lo = INFINITY, hi = -INFINITY;
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		double sum = 0;

		for (k = 0; k < c->nseries; k++) {
			double v = c->series[k].y[i];

			if (isnan(v))
				continue;
			if (c->kind == PM_CHART_STACKED) {
				sum += v > 0 ? v : 0;
				v = sum;
			}
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	}
	if (lo > hi)
		lo = 0, hi = 1;
	if (c->y_from_zero || c->kind == PM_CHART_BARS ||
	    c->kind == PM_CHART_STACKED) {
		lo = lo > 0 ? 0 : lo;
		hi = hi < 0 ? 0 : hi;
	}
	if (hi - lo < 1e-9) {
		hi += lo ? fabs(lo) * 0.1 : 1;
		lo -= lo ? fabs(lo) * 0.1 : 0;
	}
	l->ystep = nice_step(hi - lo, 5);
	l->ylo = floor(lo / l->ystep + 1e-9) * l->ystep;
	l->yhi = ceil(hi / l->ystep - 1e-9) * l->ystep;
	if (l->yhi <= l->ylo)
		l->yhi = l->ylo + l->ystep;
}

static const int64_t time_steps[] = { 1,     5,	     15,     60,
				      300,   900,    1800,   3600,
				      7200,  10800,  21600,  43200,
				      86400, 172800, 604800, 2592000 };

static void x_range(const struct pm_chart *c, struct layout *l)
{
	double lo = INFINITY, hi = -INFINITY, pad;
	size_t i, k;

	l->slot = c->n ? l->pw / (double)c->n : l->pw;
	if (!c->x)
		return;
	for (i = 0; i < c->n; i++)
		if (!isnan(c->x[i])) {
			lo = c->x[i] < lo ? c->x[i] : lo;
			hi = c->x[i] > hi ? c->x[i] : hi;
		}
	if (lo > hi)
		lo = 0, hi = 1;
	if (hi - lo < 1e-9)
		lo -= 1, hi += 1;
	/* bars and dots keep off the edges */
	pad = c->kind == PM_CHART_LINES ? 0 :
	      c->n > 1			? (hi - lo) / (double)(c->n - 1) / 2 :
					  (hi - lo) * 0.05;
	if (c->kind == PM_CHART_POINTS)
		pad = (hi - lo) * 0.04;
	lo -= pad;
	hi += pad;
	l->xlo = lo;
	l->xhi = hi;
	if (c->x_time) {
		for (k = 0;
		     k + 1 < sizeof(time_steps) / sizeof(time_steps[0]) &&
		     (hi - lo) / (double)time_steps[k] > 8;
		     k++)
			;
		l->xstep = (double)time_steps[k];
	} else {
		l->xstep = nice_step(hi - lo, 8);
	}
}

static int chart_width(const struct pm_chart *c)
{
	return c->width >= 320 ? c->width : W;
}

/* How many entries the legend has: none for one series alone. */
static size_t legend_entries(const struct pm_chart *c)
{
	return c->nseries > 1 || c->nbands ? c->nseries + c->nbands : 0;
}

static const char *entry_name(const struct pm_chart *c, size_t i)
{
	const char *s = i < c->nseries ? c->series[i].name :
					 c->bands[i - c->nseries].name;

	return s ? s : "";
}

static const char *series_colour(const struct pm_chart *c, size_t k)
{
	return c->series[k].colour ? c->series[k].colour : pm_chart_colour(k);
}

/* Draw the legend when draw; where the plot starts under it. */
static int legend(struct pm_buf *b, const struct pm_chart *c, int draw)
{
	double x = 64, y = 4;
	size_t i, n = legend_entries(c);

	for (i = 0; i < n; i++) {
		const char *name = entry_name(c, i);
		double w = 20 + CHAR_W * (double)strlen(name) + 14;

		if (x + w > chart_width(c) - RIGHT && x > 64) {
			x = 64;
			y += 18;
		}
		if (draw) {
			const char *colour =
				i < c->nseries ?
					series_colour(c, i) :
					c->bands[i - c->nseries].colour;

			pm_buf_addf(b,
				    "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" "
				    "height=\"12\" fill=\"%s\"%s/>"
				    "<text x=\"%.0f\" y=\"%.0f\">",
				    x, y, colour,
				    i < c->nseries ? "" :
						     " fill-opacity=\".45\"",
				    x + 17, y + 10);
			text(b, name);
			pm_buf_addstr(b, "</text>");
		}
		x += w;
	}
	return n ? (int)y + 22 : 8;
}

static void y_axis(struct pm_buf *b, const struct pm_chart *c,
		   const struct layout *l)
{
	int d = decimals(l->ystep);
	double v;

	for (v = l->ylo; v <= l->yhi + l->ystep / 2; v += l->ystep) {
		double y = sy(l, v);

		pm_buf_addf(b,
			    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
			    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
			    "%.*f</text>",
			    l->left, l->left + l->pw, y, y, l->left - 6, y + 4,
			    d, fabs(v) < l->ystep / 1e6 ? 0 : v);
	}
	pm_buf_addf(b,
		    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#777\"/>",
		    l->left, l->left, l->top, l->top + l->ph);
	if (c->y_unit) {
		pm_buf_addf(b,
			    "<text transform=\"translate(14 %.1f) "
			    "rotate(-90)\" text-anchor=\"middle\">",
			    l->top + l->ph / 2);
		text(b, c->y_unit);
		pm_buf_addstr(b, "</text>");
	}
}

/* A time tick's label: the date where the day changes, else the hour. */
static void time_label(char *out, size_t size, int64_t t, int64_t step,
		       int64_t *last_day)
{
	int64_t local = t + PM_ICT_OFFSET, day = pm_floor_div(local, 86400);
	int64_t y;
	unsigned mo, d, hh = (unsigned)((local - day * 86400) / 3600),
			mm = (unsigned)((local - day * 86400) % 3600 / 60),
			ss = (unsigned)((local - day * 86400) % 60);

	pm_civil_from_days(day, &y, &mo, &d);
	if (step < 60 && day == *last_day)
		snprintf(out, size, "%02u:%02u:%02u", hh, mm, ss);
	else if (step < 60)
		snprintf(out, size, "%02u-%02u %02u:%02u:%02u", mo, d, hh, mm,
			 ss);
	else if (step >= 2592000)
		snprintf(out, size, "%04lld-%02u", (long long)y, mo);
	else if (step >= 86400)
		snprintf(out, size, "%02u-%02u", mo, d);
	else if (day != *last_day)
		snprintf(out, size, "%02u-%02u %02u:%02u", mo, d, hh, mm);
	else
		snprintf(out, size, "%02u:%02u", hh, mm);
	*last_day = day;
}

/*
 * A tick at x with its label, cut into two lines at a space when it is
 * longer than fit characters.
 */
static void x_tick(struct pm_buf *b, const struct layout *l, double x,
		   const char *label, int grid, size_t fit)
{
	double base = l->top + l->ph;
	size_t len = strlen(label), cut = len, i;

	if (grid)
		pm_buf_addf(b,
			    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"#ececec\"/>",
			    x, x, l->top, base);
	/* a label at an end of a numeric axis stays inside the chart */
	pm_buf_addf(b,
		    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#777\"/><text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"%s\">",
		    x, x, base, base + 5, x, base + 18,
		    grid && x + CHAR_W * (double)len / 2 >
					    l->left + l->pw + RIGHT ?
			    "end" :
		    grid && x - CHAR_W * (double)len / 2 < 4 ? "start" :
							       "middle");
	if (len > fit)
		for (i = 0; i < len; i++)
			if (label[i] == ' ' &&
			    (cut == len ||
			     (i > len / 2 ? i - len / 2 : len / 2 - i) <
				     (cut > len / 2 ? cut - len / 2 :
						      len / 2 - cut)))
				cut = i;
	if (cut == len) {
		text(b, label);
	} else {
		pm_buf_add_html(b, label, cut);
		pm_buf_addf(b, "<tspan x=\"%.1f\" dy=\"14\">", x);
		text(b, label + cut + 1);
		pm_buf_addstr(b, "</tspan>");
	}
	pm_buf_addstr(b, "</text>");
}

static void x_axis(struct pm_buf *b, const struct pm_chart *c,
		   const struct layout *l)
{
	double base = l->top + l->ph;
	char tmp[48];
	size_t i, stride = 1, longest = 1;

	pm_buf_addf(b,
		    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#777\"/>",
		    l->left, l->left + l->pw, base, base);
	if (!c->x) {
		for (i = 0; c->labels && i < c->n; i++)
			if (strlen(c->labels[i]) > longest)
				longest = strlen(c->labels[i]);
		stride = (size_t)ceil((CHAR_W * (double)longest + 10) /
				      (l->slot > 0 ? l->slot : 1));
		/* a few long names take two lines rather than gaps */
		if (stride > 1 && stride <= 2 && c->n <= 12)
			stride = 1;
		stride = stride ? stride : 1;
		for (i = 0; c->labels && i < c->n; i += stride) {
			double x = sx(c, l, i);

			/* the last may not fit before the edge: left out */
			if (stride > 1 &&
			    x + CHAR_W * (double)strlen(c->labels[i]) / 2 >
				    l->left + l->pw + RIGHT)
				break;
			x_tick(b, l, x, c->labels[i], 0,
			       (size_t)(l->slot * (double)stride / CHAR_W));
		}
	} else if (c->x_time) {
		int64_t step = (int64_t)l->xstep, last = INT64_MIN, t;

		t = pm_floor_div((int64_t)ceil(l->xlo) + PM_ICT_OFFSET, step) *
			    step -
		    PM_ICT_OFFSET;
		for (; (double)t <= l->xhi; t += step) {
			double x = l->left + ((double)t - l->xlo) /
						     (l->xhi - l->xlo) * l->pw;

			if ((double)t < l->xlo)
				continue;
			time_label(tmp, sizeof(tmp), t, step, &last);
			x_tick(b, l, x, tmp, 1, sizeof(tmp));
		}
	} else {
		double v = ceil(l->xlo / l->xstep - 1e-9) * l->xstep;

		for (; v <= l->xhi + 1e-9; v += l->xstep) {
			snprintf(tmp, sizeof(tmp), "%.*f", decimals(l->xstep),
				 v);
			x_tick(b, l,
			       l->left +
				       (v - l->xlo) / (l->xhi - l->xlo) * l->pw,
			       tmp, 1, sizeof(tmp));
		}
	}
	if (c->x_unit || c->x_time) {
		pm_buf_addf(b,
			    "<text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"middle\">",
			    l->left + l->pw / 2, base + 38);
		text(b, c->x_unit ? c->x_unit : "time (ICT)");
		pm_buf_addstr(b, "</text>");
	}
}

/* The title of value i of series k. */
static void tip(struct pm_buf *b, const struct pm_chart *c, size_t k, size_t i,
		double v)
{
	const struct pm_chart_series *s = &c->series[k];
	char tmp[48];
	int64_t last = INT64_MIN;

	pm_buf_addstr(b, "<title>");
	if (s->tips && s->tips[i]) {
		text(b, s->tips[i]);
	} else {
		if (c->nseries > 1 && s->name) {
			text(b, s->name);
			pm_buf_addstr(b, ", ");
		}
		if (c->labels) {
			text(b, c->labels[i]);
		} else if (c->x && c->x_time) {
			time_label(tmp, sizeof(tmp), (int64_t)c->x[i], 3600,
				   &last);
			text(b, tmp);
		} else if (c->x) {
			pm_buf_addf(b, "%g", c->x[i]);
		}
		pm_buf_addf(b, ": %.*f",
			    fabs(v) >= 100 || v == floor(v) ? 0 :
			    fabs(v) >= 1		    ? 1 :
							      3,
			    v);
		if (c->y_unit) {
			pm_buf_addch(b, ' ');
			text(b, c->y_unit);
		}
	}
	pm_buf_addstr(b, "</title>");
}

static void bars(struct pm_buf *b, const struct pm_chart *c,
		 const struct layout *l)
{
	int stacked = c->kind == PM_CHART_STACKED;
	double group = l->slot * 0.8,
	       bw = stacked || !c->nseries ? group : group / (double)c->nseries;
	double zero = sy(l, l->ylo > 0 ? l->ylo : l->yhi < 0 ? l->yhi : 0);
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		double x0 = sx(c, l, i) - group / 2, sum = 0;

		for (k = 0; k < c->nseries; k++) {
			const struct pm_chart_series *s = &c->series[k];
			double v = s->y[i], y0, y1;

			if (isnan(v) || (stacked && v <= 0))
				continue;
			y0 = stacked ? sy(l, sum) : zero;
			sum += v;
			y1 = sy(l, stacked ? sum : v);
			pm_buf_addf(
				b,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"%s\">",
				stacked ? x0 : x0 + bw * (double)k,
				y1 < y0 ? y1 : y0, bw > 2 ? bw - 1 : bw,
				fabs(y0 - y1),
				s->colours && s->colours[i] ?
					s->colours[i] :
					series_colour(c, k));
			tip(b, c, k, i, v);
			pm_buf_addstr(b, "</rect>");
		}
	}
}

static void lines(struct pm_buf *b, const struct pm_chart *c,
		  const struct layout *l)
{
	double r = c->kind == PM_CHART_POINTS ? 5 : c->n > 200 ? 1.5 : 3;
	size_t i, k;

	for (k = 0; k < c->nseries; k++) {
		const struct pm_chart_series *s = &c->series[k];
		int pen = 0;

		if (c->kind == PM_CHART_LINES) {
			pm_buf_addf(b,
				    "<path fill=\"none\" stroke=\"%s\" "
				    "stroke-width=\"2\" d=\"",
				    series_colour(c, k));
			for (i = 0; i < c->n; i++) {
				if (isnan(s->y[i]) ||
				    (c->x && isnan(c->x[i]))) {
					pen = c->join && pen;
					continue;
				}
				pm_buf_addf(b, "%c%.1f %.1f", pen ? 'L' : 'M',
					    sx(c, l, i), sy(l, s->y[i]));
				pen = 1;
			}
			pm_buf_addstr(b, "\"/>");
		}
		for (i = 0; i < c->n; i++) {
			if (isnan(s->y[i]) || (c->x && isnan(c->x[i])))
				continue;
			pm_buf_addf(
				b,
				"<circle cx=\"%.1f\" cy=\"%.1f\" "
				"r=\"%.1f\" fill=\"%s\"%s>",
				sx(c, l, i), sy(l, s->y[i]), r,
				s->colours && s->colours[i] ?
					s->colours[i] :
					series_colour(c, k),
				c->kind == PM_CHART_POINTS ?
					" stroke=\"#333\" stroke-width=\".6\"" :
					"");
			tip(b, c, k, i, s->y[i]);
			pm_buf_addstr(b, "</circle>");
		}
	}
}

static void bands(struct pm_buf *b, const struct pm_chart *c,
		  const struct layout *l)
{
	size_t i;

	for (i = 0; i < c->nbands; i++) {
		double lo = c->bands[i].lo > l->ylo ? c->bands[i].lo : l->ylo,
		       hi = c->bands[i].hi < l->yhi ? c->bands[i].hi : l->yhi;

		if (lo >= hi)
			continue;
		pm_buf_addf(b,
			    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"%s\" fill-opacity=\".22\">"
			    "<title>",
			    l->left, sy(l, hi), l->pw, sy(l, lo) - sy(l, hi),
			    c->bands[i].colour);
		text(b, c->bands[i].name);
		pm_buf_addstr(b, "</title></rect>");
	}
}

static void open_figure(struct pm_buf *b, const char *title, int width,
			int height)
{
	pm_buf_addstr(b, "<figure class=\"chart\"><figcaption>");
	text(b, title);
	pm_buf_addf(b,
		    "</figcaption><svg viewBox=\"0 0 %d %d\" width=\"100%%\" "
		    "role=\"img\" aria-label=\"",
		    width, height);
	text(b, title);
	pm_buf_addstr(b, "\" font-family=\"sans-serif\" font-size=\"12\" "
			 "fill=\"#333\">");
}

void pm_chart_svg(struct pm_buf *b, const struct pm_chart *c)
{
	struct layout l;

	memset(&l, 0, sizeof(l));
	l.left = 64;
	l.top = legend(b, c, 0);
	l.ph = c->height > 0 ? c->height : 220;
	l.pw = chart_width(c) - l.left - RIGHT;
	l.height = (int)(l.top + l.ph) + BOTTOM;
	y_range(c, &l);
	x_range(c, &l);
	open_figure(b, c->title, chart_width(c), l.height);
	legend(b, c, 1);
	bands(b, c, &l);
	y_axis(b, c, &l);
	x_axis(b, c, &l);
	if (c->kind == PM_CHART_BARS || c->kind == PM_CHART_STACKED)
		bars(b, c, &l);
	else
		lines(b, c, &l);
	pm_buf_addstr(b, "</svg></figure>\n");
}

void pm_chart_gantt(struct pm_buf *b, const char *title,
		    const struct pm_gantt_row *rows, size_t n)
{
	const double left = 170, rh = 22, top = 8;
	struct layout l;
	double end = 0, v;
	size_t i;

	memset(&l, 0, sizeof(l));
	for (i = 0; i < n; i++)
		end = rows[i].end > end ? rows[i].end : end;
	l.left = left;
	l.top = top;
	l.pw = W - left - RIGHT;
	l.ph = rh * (double)(n ? n : 1);
	l.xlo = 0;
	l.xstep = nice_step(end > 0 ? end : 1, 8);
	l.xhi = ceil((end > 0 ? end : 1) / l.xstep - 1e-9) * l.xstep;
	l.height = (int)(top + l.ph) + BOTTOM;
	open_figure(b, title, W, l.height);
	for (v = 0; v <= l.xhi + 1e-9; v += l.xstep) {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "%.*f", decimals(l.xstep), v);
		x_tick(b, &l, left + v / l.xhi * l.pw, tmp, 1, sizeof(tmp));
	}
	for (i = 0; i < n; i++) {
		double y = top + rh * (double)i, x0 = rows[i].start / l.xhi,
		       x1 = rows[i].end / l.xhi;

		pm_buf_addf(b,
			    "<text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"end\">",
			    left - 8, y + rh / 2 + 4);
		text(b, rows[i].label);
		pm_buf_addf(b,
			    "</text><rect x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
			    "<title>",
			    left + x0 * l.pw, y + 3,
			    (x1 - x0) * l.pw > 2 ? (x1 - x0) * l.pw : 2, rh - 6,
			    rows[i].colour ? rows[i].colour : palette[0]);
		if (rows[i].tip)
			text(b, rows[i].tip);
		else
			pm_buf_addf(b, "%.3f s to %.3f s", rows[i].start,
				    rows[i].end);
		pm_buf_addstr(b, "</title></rect>");
	}
	pm_buf_addf(b,
		    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#777\"/><text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">seconds from the run's start"
		    "</text></svg></figure>\n",
		    left, left + l.pw, top + l.ph, top + l.ph, left + l.pw / 2,
		    top + l.ph + 38);
}
