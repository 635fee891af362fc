/*
 * Index tables and the piecewise-linear formula shared by both indices:
 * I = (I_hi - I_lo) / (C_hi - C_lo) * (C - C_lo) + I_lo, on the
 * concentration truncated to the table's precision.
 */
#include "pm25/compat.h"
#include "pm25/aqi.h"

struct band {
	double c_lo, c_hi;
	int i_lo, i_hi;
};

struct table {
	double step; /* truncation: 1 = integer, 0.1 = one decimal */
	int nr;
	struct band b[7];
};

/* Pollution Control Department, Thai AQI (PM2.5 bands of 2023). */
static const struct table thai[PM_NPOLLUTANTS] = {
	[PM_POL_PM25] = { 0.1, 5, { { 0, 15.0, 0, 25 }, { 15.1, 25.0, 26, 50 },
				    { 25.1, 37.5, 51, 100 },
				    { 37.6, 75.0, 101, 200 },
				    { 75.1, 75.1, 201, 201 } } },
	[PM_POL_PM10] = { 1, 5, { { 0, 50, 0, 25 }, { 51, 80, 26, 50 },
				  { 81, 120, 51, 100 }, { 121, 180, 101, 200 },
				  { 181, 181, 201, 201 } } },
	[PM_POL_O3] = { 1, 5, { { 0, 35, 0, 25 }, { 36, 50, 26, 50 },
				{ 51, 70, 51, 100 }, { 71, 120, 101, 200 },
				{ 121, 121, 201, 201 } } },
	[PM_POL_CO] = { 0.1, 5, { { 0, 4.4, 0, 25 }, { 4.5, 6.4, 26, 50 },
				  { 6.5, 9.0, 51, 100 }, { 9.1, 30.0, 101, 200 },
				  { 30.1, 30.1, 201, 201 } } },
	[PM_POL_NO2] = { 1, 5, { { 0, 60, 0, 25 }, { 61, 106, 26, 50 },
				 { 107, 170, 51, 100 }, { 171, 340, 101, 200 },
				 { 341, 341, 201, 201 } } },
	[PM_POL_SO2] = { 1, 5, { { 0, 100, 0, 25 }, { 101, 200, 26, 50 },
				 { 201, 300, 51, 100 }, { 301, 400, 101, 200 },
				 { 401, 401, 201, 201 } } },
};

/* US EPA, Technical Assistance Document (2024 PM2.5 breakpoints). */
static const struct table us[PM_NPOLLUTANTS] = {
	[PM_POL_PM25] = { 0.1, 6, { { 0, 9.0, 0, 50 }, { 9.1, 35.4, 51, 100 },
				    { 35.5, 55.4, 101, 150 },
				    { 55.5, 125.4, 151, 200 },
				    { 125.5, 225.4, 201, 300 },
				    { 225.5, 325.4, 301, 500 } } },
	[PM_POL_PM10] = { 1, 6, { { 0, 54, 0, 50 }, { 55, 154, 51, 100 },
				  { 155, 254, 101, 150 },
				  { 255, 354, 151, 200 },
				  { 355, 424, 201, 300 },
				  { 425, 604, 301, 500 } } },
	[PM_POL_O3] = { 1, 5, { { 0, 54, 0, 50 }, { 55, 70, 51, 100 },
				{ 71, 85, 101, 150 }, { 86, 105, 151, 200 },
				{ 106, 200, 201, 300 } } },
	[PM_POL_CO] = { 0.1, 6, { { 0, 4.4, 0, 50 }, { 4.5, 9.4, 51, 100 },
				  { 9.5, 12.4, 101, 150 },
				  { 12.5, 15.4, 151, 200 },
				  { 15.5, 30.4, 201, 300 },
				  { 30.5, 50.4, 301, 500 } } },
	[PM_POL_NO2] = { 1, 6, { { 0, 53, 0, 50 }, { 54, 100, 51, 100 },
				 { 101, 360, 101, 150 },
				 { 361, 649, 151, 200 },
				 { 650, 1249, 201, 300 },
				 { 1250, 2049, 301, 500 } } },
	[PM_POL_SO2] = { 1, 6, { { 0, 35, 0, 50 }, { 36, 75, 51, 100 },
				 { 76, 185, 101, 150 }, { 186, 304, 151, 200 },
				 { 305, 604, 201, 300 },
				 { 605, 1004, 301, 500 } } },
};

static int index_of(const struct table *t, double c, int open_top)
{
	const struct band *top;
	double x;
	int k;

	if (isnan(c) || c < 0 || !t->nr)
		return -1;
	/* truncate, with a nudge against binary representation error */
	x = floor(c / t->step + 1e-9) * t->step;
	for (k = 0; k < t->nr; k++) {
		const struct band *b = &t->b[k];

		if (x <= b->c_hi + 1e-9 && (b->c_hi > b->c_lo || !open_top))
			return (int)lround((double)(b->i_hi - b->i_lo) /
						   (b->c_hi - b->c_lo) *
						   (x - b->c_lo) +
					   b->i_lo);
	}
	top = &t->b[t->nr - 1];
	if (open_top) {
		/* beyond the last breakpoint: the band below's slope */
		const struct band *b = &t->b[t->nr - 2];
		double slope = (double)(b->i_hi - b->i_lo) / (b->c_hi - b->c_lo);

		return (int)lround(top->i_lo + slope * (x - top->c_lo));
	}
	return top->i_hi; /* off the US scale */
}

int pm_aqi_thai(enum pm_pollutant p, double conc)
{
	if (p < 0 || p >= PM_NPOLLUTANTS)
		return -1;
	return index_of(&thai[p], conc, 1);
}

int pm_aqi_us(enum pm_pollutant p, double conc)
{
	if (p < 0 || p >= PM_NPOLLUTANTS)
		return -1;
	return index_of(&us[p], conc, 0);
}

int pm_aqi_thai_category(int aqi)
{
	if (aqi < 0)
		return 0;
	return aqi <= 25 ? 1 : aqi <= 50 ? 2 : aqi <= 100 ? 3 : aqi <= 200 ? 4 : 5;
}

const char *pm_aqi_thai_name(int category)
{
	static const char *const names[] = { "no data", "very good", "good",
					     "moderate",
					     "starting to affect health",
					     "affecting health" };

	return names[category >= 0 && category <= 5 ? category : 0];
}

const char *pm_aqi_thai_colour(int category)
{
	static const char *const colours[] = { "#BDBDBD", "#00BFF3",
					       "#00A651", "#FDC04E",
					       "#F26522", "#CD0000" };

	return colours[category >= 0 && category <= 5 ? category : 0];
}
