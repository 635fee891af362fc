/*
 * Charts as inline SVG (lib/report/chart.c), one module for the EDA
 * report and the server's pages. Every chart takes the page's full
 * width (a viewBox scaled to 100%), has axes with ticks and units, light
 * gridlines, a legend when it has more than one series or bands, and a
 * <title> on every mark so that the value shows under the pointer.
 * Every string is escaped. The caller owns every array it passes.
 */
#ifndef PM25_CHART_H
#define PM25_CHART_H

#include <stddef.h>
#include <stdint.h>

struct pm_buf;

enum pm_chart_kind {
	PM_CHART_BARS,	  /* one bar per x per series, side by side */
	PM_CHART_STACKED, /* the series' bars stacked */
	PM_CHART_LINES,	  /* lines with a dot per value */
	PM_CHART_POINTS,  /* dots only (x and y from the data) */
};

struct pm_chart_series {
	const char *name;	    /* in the legend and the titles */
	const char *colour;	    /* "#1f6fb2"; NULL: the palette's */
	const double *y;	    /* n values; NaN: none */
	const char *const *colours; /* per value, or NULL */
	const char *const *tips;    /* per value, the title's text, or NULL */
};

/* A shaded range of y (a Thai AQI band, say), under the marks. */
struct pm_chart_band {
	double lo, hi;
	const char *colour, *name;
};

struct pm_chart {
	const char *title;  /* the caption */
	const char *x_unit; /* under the x axis ("local hour") */
	const char *y_unit; /* beside the y axis ("µg/m³") */
	enum pm_chart_kind kind;
	size_t n;		   /* values per series */
	const char *const *labels; /* x labels (a category axis), or NULL */
	const double *x;	   /* x values (a numeric axis), or NULL */
	int x_time;		   /* x holds UTC seconds: ticks in ICT */
	int y_from_zero;	   /* the y axis starts at 0 */
	int join; /* lines join over a NaN (series of their own x) */
	const struct pm_chart_series *series;
	size_t nseries;
	const struct pm_chart_band *bands;
	size_t nbands;
	int height; /* of the plot, in the viewBox's units; 0: 220 */
	int width;  /* of the viewBox: 0 is 960, for a page's full width;
		       about 560 for a card, so that text keeps its size */
};

/* Append c as <figure><figcaption>…</figcaption><svg>…</svg></figure>. */
void pm_chart_svg(struct pm_buf *b, const struct pm_chart *c);

/* One bar of a timeline: a task that ran from start to end. */
struct pm_gantt_row {
	const char *label, *colour, *tip;
	double start, end; /* seconds from the timeline's start */
};

/* A timeline of rows, in seconds from its start. */
void pm_chart_gantt(struct pm_buf *b, const char *title,
		    const struct pm_gantt_row *rows, size_t n);

/* The i-th colour of the palette that series take by default. */
const char *pm_chart_colour(size_t i);

#endif
