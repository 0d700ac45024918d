/*
 * inspect_json.h --- an inspection as the documented JSON object.
 *
 * Part of the inspect stage; kept apart from inspect.h so that code
 * handling inspections needs no JSON library.
 */
#ifndef E4ERR_INSPECT_JSON_H
#define E4ERR_INSPECT_JSON_H

#include <jansson.h>

#include "inspect.h"

/*
 * Keys: device, uuid, mountpoint (NULL: null), superblock, inode (or
 * null), block (or null), findings, verdict, reason, truncated.  NULL on
 * ENOMEM.
 */
json_t *e4err_inspection_to_json(const struct e4err_inspection *insp,
				 const char *mountpoint);

/* "has_journal" and the like, for the feature bits of the superblock. */
json_t *e4err_features_to_json(uint32_t compat, uint32_t incompat,
			       uint32_t ro_compat);

/* The UUID as 36 characters and a NUL. */
void e4err_uuid_unparse(const uint8_t uuid[16], char out[37]);

#endif /* E4ERR_INSPECT_JSON_H */
