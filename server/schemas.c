/*
 * The API's response schemas (server/openapi-schemas.json), compiled in
 * as they are written: components, and for each route ("METHOD
 * pattern") the schema of its success answer, and the media type of
 * those that do not answer JSON. /api/openapi.json puts them in place;
 * the tests validate every answer against them.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include <pthread.h>
#include "server-int.h"

/* The file's bytes, then a NUL, as srv_schema_text. */
__asm__(".section .rodata\n"
	".global srv_schema_text\n"
	".type srv_schema_text, @object\n"
	"srv_schema_text:\n"
	".incbin \"server/openapi-schemas.json\"\n"
	".byte 0\n"
	".previous\n");

extern const char srv_schema_text[];

static json_t *doc;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	doc = json_loads(srv_schema_text, 0, NULL);
}

json_t *srv_schemas(void)
{
	pthread_once(&once, load);
	return doc;
}
