/*
 * The version of pm25, set by the build.
 */
#ifndef PM25_VERSION_H
#define PM25_VERSION_H

#ifndef PM25_VERSION
#define PM25_VERSION "0.1.0"
#endif

#endif
