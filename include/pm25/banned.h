/*
 * Calls that are easy to misuse. Including this header turns each of them
 * into a compile error; use pm_buf, strtol/strtod with checks, or gmtime_r.
 */
#ifndef PM25_BANNED_H
#define PM25_BANNED_H

#define PM_BANNED(func) sorry_##func##_is_banned_in_pm25

#undef strcpy
#define strcpy(x, y) PM_BANNED(strcpy)
#undef strcat
#define strcat(x, y) PM_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) PM_BANNED(strncpy)
#undef sprintf
#define sprintf(...) PM_BANNED(sprintf)
#undef strtok
#define strtok(x, y) PM_BANNED(strtok)
#undef atoi
#define atoi(x) PM_BANNED(atoi)
#undef gmtime
#define gmtime(t) PM_BANNED(gmtime)
#undef localtime
#define localtime(t) PM_BANNED(localtime)

#endif
