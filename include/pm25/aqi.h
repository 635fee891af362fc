/*
 * Air quality indices: the Thai AQI of the Pollution Control Department
 * and the US EPA AQI, from concentrations in pm25's canonical units
 * (PM in ug/m3, O3/NO2/SO2 in ppb, CO in ppm) averaged over each index's
 * own period (Thai: PM 24 h, O3 and CO 8 h, NO2 and SO2 1 h).
 */
#ifndef PM25_AQI_H
#define PM25_AQI_H

enum pm_pollutant {
	PM_POL_PM25 = 0,
	PM_POL_PM10,
	PM_POL_O3,
	PM_POL_CO,
	PM_POL_NO2,
	PM_POL_SO2,
	PM_NPOLLUTANTS
};

/*
 * The Thai AQI of one concentration, rounded to an integer; -1 for a
 * missing or negative value. Above the last breakpoint the index goes on
 * from 201 with the slope of the band below it.
 */
int pm_aqi_thai(enum pm_pollutant p, double conc);
/* The US EPA AQI (PM2.5 breakpoints of the 2024 revision); -1 likewise. */
int pm_aqi_us(enum pm_pollutant p, double conc);

/* Thai category 1..5 of an index (0 for -1): very good .. very unhealthy. */
int pm_aqi_thai_category(int aqi);
/* Its English name and official colour ("#00BFF3"); static strings. */
const char *pm_aqi_thai_name(int category);
const char *pm_aqi_thai_colour(int category);

#endif
