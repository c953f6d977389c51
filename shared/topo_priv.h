/*
 * topo_priv.h - what topo_parse.c hands to topo_resolve.c.
 *
 * Parsing records names as written (with their lines); resolving turns
 * them into indices and checks every rule. Not for use outside
 * topo_*.c.
 */
#ifndef LSA_TOPO_PRIV_H
#define LSA_TOPO_PRIV_H

#include "topology.h"

struct topo_ref {
	char	*name;
	int	 line;
};

struct topo_refs {
	struct topo_ref	*v;
	int		 n;
	int		 line;		/* line of the key, 0 if not given */
};

struct topo_raw_group {
	struct topo_ref	 master;
	struct topo_refs backups;
};

struct topo_raw_server {
	struct topo_ref	 group;
	int		 address_line;
};

struct topo_raw_connector {
	struct topo_ref	 from;
	struct topo_ref	 to;
	struct topo_refs sources;
	struct topo_refs targets;
	int		 spaces_line;
	int		 smart_line;
	int		 bidi_line;	/* line of `bidirectional`, 0 if none */
	int		 auth_line;
};

enum topo_section {
	TOPO_SEC_NONE,
	TOPO_SEC_ORGANIZATION,
	TOPO_SEC_GROUP,
	TOPO_SEC_SERVER,
	TOPO_SEC_CONNECTOR,
	TOPO_SEC_BAD,		/* an unknown section: its keys are skipped */
};

struct topo_builder {
	struct topology		*t;
	struct diag		*d;
	struct topo_raw_group	*rg;
	struct topo_raw_server	*rs;
	struct topo_raw_connector *rc;
	enum topo_section	 sec;	/* section being read */
	int			 idx;	/* its index in the arrays */
	uint64_t		 seen;	/* keys of this section seen, by
					   index in topo_keys[] */
	int			 org_line;
	int			 version_line;
	int			 name_line;
};

void topo_resolve(struct topo_builder *b);
void topo_builder_free(struct topo_builder *b);
void topo_sender_free(struct topo_sender *p);
int topo_valid_name(const char *s);
void topo_conn_expand(struct topo_builder *b);

#endif
