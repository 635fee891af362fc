/*
 * Every breakpoint edge of both indices against the official tables,
 * written out here independently of lib/aqi.c.
 *
 * Thai AQI: Pollution Control Department (Air4Thai), "AQI of Thailand",
 * the table of concentrations equivalent to each index band, with the
 * PM2.5 bands revised in June 2023 (0-15.0, 15.1-25.0, 25.1-37.5,
 * 37.6-75.0, 75.1 and above).
 * US AQI: US EPA, Technical Assistance Document for the Reporting of
 * Daily Air Quality (EPA-454/B-24-001, 2024), with its PM2.5 revision.
 */
#include "test.h"
#include "pm25/aqi.h"

struct edge {
	enum pm_pollutant p;
	double c_lo, c_hi;
	int i_lo, i_hi;
};

static const struct edge thai_table[] = {
	{ PM_POL_PM25, 0, 15.0, 0, 25 },     { PM_POL_PM25, 15.1, 25.0, 26, 50 },
	{ PM_POL_PM25, 25.1, 37.5, 51, 100 },
	{ PM_POL_PM25, 37.6, 75.0, 101, 200 },
	{ PM_POL_PM10, 0, 50, 0, 25 },	     { PM_POL_PM10, 51, 80, 26, 50 },
	{ PM_POL_PM10, 81, 120, 51, 100 },   { PM_POL_PM10, 121, 180, 101, 200 },
	{ PM_POL_O3, 0, 35, 0, 25 },	     { PM_POL_O3, 36, 50, 26, 50 },
	{ PM_POL_O3, 51, 70, 51, 100 },	     { PM_POL_O3, 71, 120, 101, 200 },
	{ PM_POL_CO, 0, 4.4, 0, 25 },	     { PM_POL_CO, 4.5, 6.4, 26, 50 },
	{ PM_POL_CO, 6.5, 9.0, 51, 100 },    { PM_POL_CO, 9.1, 30.0, 101, 200 },
	{ PM_POL_NO2, 0, 60, 0, 25 },	     { PM_POL_NO2, 61, 106, 26, 50 },
	{ PM_POL_NO2, 107, 170, 51, 100 },   { PM_POL_NO2, 171, 340, 101, 200 },
	{ PM_POL_SO2, 0, 100, 0, 25 },	     { PM_POL_SO2, 101, 200, 26, 50 },
	{ PM_POL_SO2, 201, 300, 51, 100 },   { PM_POL_SO2, 301, 400, 101, 200 },
};

static const struct edge thai_top[] = {
	{ PM_POL_PM25, 75.1, 0, 201, 0 }, { PM_POL_PM10, 181, 0, 201, 0 },
	{ PM_POL_O3, 121, 0, 201, 0 },	  { PM_POL_CO, 30.1, 0, 201, 0 },
	{ PM_POL_NO2, 341, 0, 201, 0 },	  { PM_POL_SO2, 401, 0, 201, 0 },
};

static const struct edge us_table[] = {
	{ PM_POL_PM25, 0, 9.0, 0, 50 },	       { PM_POL_PM25, 9.1, 35.4, 51, 100 },
	{ PM_POL_PM25, 35.5, 55.4, 101, 150 }, { PM_POL_PM25, 55.5, 125.4, 151, 200 },
	{ PM_POL_PM25, 125.5, 225.4, 201, 300 },
	{ PM_POL_PM25, 225.5, 325.4, 301, 500 },
	{ PM_POL_PM10, 0, 54, 0, 50 },	       { PM_POL_PM10, 55, 154, 51, 100 },
	{ PM_POL_PM10, 155, 254, 101, 150 },   { PM_POL_PM10, 255, 354, 151, 200 },
	{ PM_POL_PM10, 355, 424, 201, 300 },   { PM_POL_PM10, 425, 604, 301, 500 },
	{ PM_POL_O3, 0, 54, 0, 50 },	       { PM_POL_O3, 55, 70, 51, 100 },
	{ PM_POL_O3, 71, 85, 101, 150 },       { PM_POL_O3, 86, 105, 151, 200 },
	{ PM_POL_O3, 106, 200, 201, 300 },     { PM_POL_CO, 0, 4.4, 0, 50 },
	{ PM_POL_CO, 4.5, 9.4, 51, 100 },      { PM_POL_CO, 9.5, 12.4, 101, 150 },
	{ PM_POL_CO, 12.5, 15.4, 151, 200 },   { PM_POL_CO, 15.5, 30.4, 201, 300 },
	{ PM_POL_CO, 30.5, 50.4, 301, 500 },   { PM_POL_NO2, 0, 53, 0, 50 },
	{ PM_POL_NO2, 54, 100, 51, 100 },      { PM_POL_NO2, 101, 360, 101, 150 },
	{ PM_POL_NO2, 361, 649, 151, 200 },    { PM_POL_NO2, 650, 1249, 201, 300 },
	{ PM_POL_NO2, 1250, 2049, 301, 500 },  { PM_POL_SO2, 0, 35, 0, 50 },
	{ PM_POL_SO2, 36, 75, 51, 100 },       { PM_POL_SO2, 76, 185, 101, 150 },
	{ PM_POL_SO2, 186, 304, 151, 200 },    { PM_POL_SO2, 305, 604, 201, 300 },
	{ PM_POL_SO2, 605, 1004, 301, 500 },
};

TEST(aqi_thai_every_edge)
{
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(thai_table); i++) {
		const struct edge *e = &thai_table[i];

		PM_ASSERT_EQ(pm_aqi_thai(e->p, e->c_lo), e->i_lo);
		PM_ASSERT_EQ(pm_aqi_thai(e->p, e->c_hi), e->i_hi);
	}
	for (i = 0; i < PM_ARRAY_SIZE(thai_top); i++)
		PM_ASSERT_EQ(pm_aqi_thai(thai_top[i].p, thai_top[i].c_lo), 201);
	/* values truncate to the table's precision */
	PM_ASSERT_EQ(pm_aqi_thai(PM_POL_PM25, 15.05), 25);
	PM_ASSERT_EQ(pm_aqi_thai(PM_POL_PM10, 50.9), 25);
	PM_ASSERT_EQ(pm_aqi_thai(PM_POL_PM25, -1), -1);
	PM_ASSERT_EQ(pm_aqi_thai(PM_POL_PM25, NAN), -1);
	/* the real feed: 54t PM2.5 34.1 ug/m3 was published as AQI 87 */
	PM_ASSERT_EQ(pm_aqi_thai(PM_POL_PM25, 34.1), 87);
	/* and 02t 15.5 as 27, 03t 16.5 as 29 */
	PM_ASSERT_EQ(pm_aqi_thai(PM_POL_PM25, 15.5), 27);
	PM_ASSERT_EQ(pm_aqi_thai(PM_POL_PM25, 16.5), 29);
}

TEST(aqi_us_every_edge)
{
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(us_table); i++) {
		const struct edge *e = &us_table[i];

		PM_ASSERT_EQ(pm_aqi_us(e->p, e->c_lo), e->i_lo);
		PM_ASSERT_EQ(pm_aqi_us(e->p, e->c_hi), e->i_hi);
	}
}

TEST(aqi_thai_categories)
{
	PM_ASSERT_EQ(pm_aqi_thai_category(25), 1);
	PM_ASSERT_EQ(pm_aqi_thai_category(26), 2);
	PM_ASSERT_EQ(pm_aqi_thai_category(100), 3);
	PM_ASSERT_EQ(pm_aqi_thai_category(101), 4);
	PM_ASSERT_EQ(pm_aqi_thai_category(201), 5);
	PM_ASSERT_EQ(pm_aqi_thai_category(-1), 0);
	PM_ASSERT_STR_EQ(pm_aqi_thai_colour(1), "#00BFF3");
	PM_ASSERT_STR_EQ(pm_aqi_thai_colour(5), "#CD0000");
}
