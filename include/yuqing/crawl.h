/* The crawler: its configuration (sources and global settings, read from YAML) and the entry point
 * behind `yuqing crawl`. docs/CRAWL.md documents every key. */
#ifndef YUQING_CRAWL_H
#define YUQING_CRAWL_H

#include <stddef.h>
#include <stdint.h>

#include "yuqing/schedule.h"

/* A list of compiled PCRE2 patterns (opaque code pointers) with their source text. */
typedef struct yq_regex_list {
    void **code;    /* pcre2_code_8 * each */
    char **pattern; /* the source text, for messages */
    size_t n;
} yq_regex_list;

/* 1 when `url` matches any pattern of the list (0 for an empty list). */
int yq_regex_list_match(const yq_regex_list *list, const char *url);

typedef struct yq_crawl_source {
    char *name;
    char **start_urls; /* HTML pages, RSS/Atom feeds, sitemaps (index or urlset, gzip or not) */
    size_t n_start_urls;
    char **allowed_domains; /* host or any subdomain of it; empty: the start URLs' hosts */
    size_t n_allowed_domains;
    yq_regex_list follow;  /* links followed from HTML pages (empty: all within allowed_domains) */
    yq_regex_list deny;    /* never requested */
    yq_regex_list article; /* links whose pages are articles (empty: every page not a start URL) */
    yq_regex_list revisit; /* pages polled at every tick like start URLs (index pages, feeds) */
    int max_depth;         /* links away from a start URL */
    long long max_pages;   /* requests per tick (per run with --once); 0 = unlimited */
    int render;            /* pages through headless Chromium */
    yq_schedule schedule;
    int allow_private; /* loopback / private / link-local targets allowed */
    int transcribe;    /* audio/video to text (accepted; used by `yuqing run`) */
} yq_crawl_source;

typedef struct yq_crawl_cookie {
    char *domain;
    char *cookie; /* "name=value; name2=value2" */
} yq_crawl_cookie;

typedef struct yq_crawl_config {
    char *path; /* the file it came from */
    yq_crawl_source *sources;
    size_t n_sources;
    int concurrency;            /* transfers at once, all domains together */
    int per_domain_concurrency; /* transfers at once to one host */
    double delay;               /* seconds between requests to one host */
    int autothrottle;           /* delay adapts to the server's latency */
    double autothrottle_max_delay;
    double timeout; /* whole transfer, seconds */
    double connect_timeout;
    int retries;          /* extra attempts on timeouts, 5xx and 429 */
    double retry_backoff; /* first backoff, doubled each retry */
    int max_redirects;
    char **user_agents; /* empty: the built-in pool of browser User-Agents */
    size_t n_user_agents;
    int obey_robots;
    char *robots_agent; /* product token matched in robots.txt */
    char *proxy;        /* NULL: none */
    char *ca_file;      /* NULL: the system's CA certificates; else a PEM file of those trusted */
    yq_crawl_cookie *cookies;
    size_t n_cookies;
    long long max_response_size; /* bytes */
    char **tracking_params;      /* query parameters dropped from URLs ("utm_*" is a prefix) */
    size_t n_tracking_params;
    int render_concurrency; /* Chromium processes at once */
    double render_timeout;
    char *chromium;   /* the browser binary */
    char *out_jsonl;  /* NULL: none */
    char *out_sqlite; /* NULL: none */
    char *out_sqlite_table;
} yq_crawl_config;

/* Reads and checks a crawl configuration. Errors: YQ_ENOENT, YQ_EFORMAT (YAML syntax),
 * YQ_EINVAL "PATH:LINE: KEY: ..." for unknown keys and bad values (including bad regexes and
 * schedules). Free with yq_crawl_config_free. */
int yq_crawl_config_load(const char *path, yq_crawl_config **out);
int yq_crawl_config_parse(const char *name, const char *text, size_t len, yq_crawl_config **out);
void yq_crawl_config_free(yq_crawl_config *config);

typedef enum { YQ_CRAWL_ONCE, YQ_CRAWL_DAEMON } yq_crawl_mode;

typedef struct yq_crawl_options {
    yq_crawl_mode mode;
    const char *state_dir; /* created when missing */
    const char *out_jsonl; /* overrides the configuration's output.jsonl when not NULL */
    volatile int *stop;    /* set (by a signal handler) to stop cleanly; may be NULL */
} yq_crawl_options;

/* Crawls the configured sources: with YQ_CRAWL_ONCE each source until its frontier is empty,
 * with YQ_CRAWL_DAEMON every source on its schedule until *stop is set. State (seen URLs,
 * frontier, items not yet written to every sink) lives in state_dir, so a killed run resumes.
 * Errors: YQ_EIO (state or output files), YQ_EFORMAT (state from elsewhere), YQ_ENOMEM. */
int yq_crawl_run(const yq_crawl_config *config, const yq_crawl_options *options);

#endif
