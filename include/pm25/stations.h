/*
 * The stations as they are now (lib/report/stations.c): each station's
 * newest published PM2.5 on main, its Thai AQI over the 24 hours to it
 * with the category's name and colour, and where it is.
 */
#ifndef PM25_STATIONS_H
#define PM25_STATIONS_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_store;

#define PM_STATION_NONE INT64_MIN

struct pm_station_now {
	char *id, *name_en, *name_th; /* owned; names may be NULL */
	double lat, lon;	      /* NaN: unknown */
	int64_t time; /* UTC s of the newest PM2.5; PM_STATION_NONE: none */
	double pm25;		      /* that hour's, µg/m³ */
	double pm25_24h;	      /* the mean of the 24 hours to it */
	int aqi;		      /* Thai AQI of the mean, -1: none */
	const char *category, *colour; /* static, or NULL */
};

/*
 * Every station with a PM2.5 value in main's newest day files (back
 * until two of them held one), by id, with stations/stations.csv's
 * names and places; then the stations of stations.csv without a value
 * (time PM_STATION_NONE, pm25 NaN, aqi -1).
 */
enum pm_err pm_stations_now(struct pm_store *data, struct pm_station_now **v,
			    size_t *n, struct pm_buf *err);
void pm_stations_now_free(struct pm_station_now *v, size_t n);
/* One as JSON, with its age at now (UTC s). */
void pm_station_now_json(struct pm_buf *b, const struct pm_station_now *s,
			 int64_t now);

#endif
