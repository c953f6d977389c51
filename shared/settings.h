/*
 * settings.h - the per-server settings file: [agent], [policyd], [milter].
 *
 * Every setting is one row of settings_table in settings.c: its section,
 * key, type, default (as text, parsed by the same code as the file) and
 * range. That table is the only place defaults live; `lsactl defaults`
 * prints it and a test checks that the README says the same.
 *
 * settings_init() fills in every default; settings_load() then reads a
 * file over them. Errors are FILE:LINE: KEY: TEXT in the caller's diag;
 * settings_load() returns -1 when there were any. The struct owns its
 * strings; settings_free() releases them.
 */
#ifndef LSA_SETTINGS_H
#define LSA_SETTINGS_H

#include <stdint.h>
#include <stdio.h>

#include "diag.h"

#define SETTINGS_DEFAULT_PATH	"/etc/lsa/lsa.conf"

enum settings_relay {
	SETTINGS_RELAY_HOP,	/* via the bridgeheads of every group */
	SETTINGS_RELAY_DIRECT,	/* Exchange 2007: skip non-hub groups */
};

enum settings_action {
	SETTINGS_ACTION_DEFER,
	SETTINGS_ACTION_BOUNCE,
	SETTINGS_ACTION_ACCEPT,
};

struct settings {
	char		*file;		/* NULL when only defaults */

	/* [agent] */
	char		*server;	/* "" = this host's short name */
	char		*topology;
	char		*state_dir;
	char		*listen;
	char		*tls_ca;
	char		*tls_cert;
	char		*tls_key;
	char		*tls_crl;
	char		*control_socket;
	uint64_t	 config_poll_interval;	/* all times in ms */
	uint64_t	 glitch_retry_interval;
	uint64_t	 glitch_retries;
	uint64_t	 down_retry_interval;
	char		*probe_source;	/* "" = the topology address */
	uint64_t	 probe_timeout;
	uint64_t	 probe_interval;
	uint64_t	 damping_half_life;
	uint64_t	 damping_suppress;
	uint64_t	 damping_reuse;
	uint64_t	 damping_max_suppress;
	uint64_t	 dead_interval;
	uint64_t	 master_dead_interval;
	uint64_t	 peer_idle_timeout;
	uint64_t	 reconnect_interval;
	uint64_t	 reconnect_max;
	char		*reroute_command;	/* "" = never */
	char		*reroute_kick_command;	/* "" = never */
	char		*postfix_config_dir;	/* "" = the default */
	uint64_t	 reroute_interval;
	uint64_t	 reroute_recheck;
	uint64_t	 reroute_flush_percent;
	int		 suppress_state_changes;
	int		 relay;			/* enum settings_relay */
	uint64_t	 control_idle_timeout;
	char		*agent_user;		/* "" = as started */

	/* [policyd] */
	char		*socketmap_listen;
	char		*policy_listen;
	char		*snapshot;		/* "" = STATE_DIR/lst.snapshot */
	uint64_t	 client_idle_timeout;
	uint64_t	 max_clients;
	char		*transport;
	char		*hold_transport;
	uint64_t	 rotation_interval;
	uint64_t	 snapshot_check_interval;
	uint64_t	 request_timeout;
	char		*policyd_user;		/* "" = as started */
	char		*credentials;		/* "" = none */
	char		*milter_user;		/* "" = as started */

	/* [milter] */
	char		*milter_listen;
	int		 loop_action;		/* enum settings_action */
	uint64_t	 hop_limit;
	int		 hop_limit_action;	/* enum settings_action */
};

void settings_init(struct settings *s);
int settings_load(struct settings *s, const char *path, struct diag *d);
int settings_load_buf(struct settings *s, const char *name,
    const char *buf, size_t len, struct diag *d);
void settings_free(struct settings *s);
const char *settings_server_name(const struct settings *s, char *buf,
    size_t len);
void settings_print(const struct settings *s, FILE *fp);
void settings_print_defaults(FILE *fp);

#endif
