/* fixture_site: the loopback news site of the crawler tests and the demo (routes in README.md).
 * libmicrohttpd with a thread per connection, so that /slow holds only its own connection; every
 * request is logged as a JSON line for the tests' assertions. */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "site.h"
#include "yuqing/mapfile.h"

#define HUGE_BYTES (50L * 1000 * 1000)

static struct {
    const char *content_dir;
    double crawl_delay;
    FILE *log;
    pthread_mutex_t lock; /* the log and the counters */
    struct {
        char key[64];
        int hits;
    } counters[256];
    int n_counters;
} site = {.crawl_delay = 1, .lock = PTHREAD_MUTEX_INITIALIZER};

typedef struct {
    double arrived;
    sbuf upload;
} request;

/* What a route answers. */
typedef struct {
    int status;
    const char *type;
    sbuf body;
    long huge;            /* > 0: a generated body of this many bytes instead */
    int chunked;          /* the generated body without Content-Length */
    int sleep_ms;         /* wait this long before answering */
    char headers[4][256]; /* extra "Name: value" */
    int n_headers;
} reply;

static double now_s(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec * 1e-6;
}

static void add_header(reply *r, const char *fmt, const char *value) {
    if (r->n_headers < 4) snprintf(r->headers[r->n_headers++], sizeof r->headers[0], fmt, value);
}

/* Counts requests per key; returns the count including this one. */
static int count_hit(const char *key) {
    pthread_mutex_lock(&site.lock);
    int i = 0;
    while (i < site.n_counters && strcmp(site.counters[i].key, key) != 0)
        i++;
    if (i == site.n_counters && i < 256) snprintf(site.counters[site.n_counters++].key, 64, "%s", key);
    int hits = i < 256 ? ++site.counters[i].hits : 1;
    pthread_mutex_unlock(&site.lock);
    return hits;
}

static int arg_int(struct MHD_Connection *c, const char *name, int fallback) {
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return v ? atoi(v) : fallback;
}

static const site_article *find_article(const site_snapshot *s, const char *slug, size_t len) {
    for (int i = 0; i < s->n; i++)
        if (strlen(s->list[i]->slug) == len && strncmp(s->list[i]->slug, slug, len) == 0) return s->list[i];
    return NULL;
}

/* /news/SLUG.html, /mirror/SLUG.html, /js/SLUG.html, /gbk/SLUG.html, /gzip.html */
static int article_route(struct MHD_Connection *c, const char *path, const site_snapshot *s, reply *r) {
    const char *slash = strchr(path + 1, '/');
    size_t len = strlen(path);
    if (!slash || len < 6 || strcmp(path + len - 5, ".html") != 0) return 0;
    const site_article *a = find_article(s, slash + 1, (size_t)(path + len - 5 - slash - 1));
    size_t dir = (size_t)(slash - path);
    int is = 0;
#define DIR(name) (dir == strlen(name) && strncmp(path, name, dir) == 0)
    if (a && a->kind == ARTICLE_HTML && (DIR("/news") || DIR("/mirror"))) is = 1;
    if (a && a->kind == ARTICLE_JS && DIR("/js")) is = 2;
    if (a && a->kind == ARTICLE_GBK && DIR("/gbk")) is = 3;
#undef DIR
    if (!is) return 0;
    if (is == 2)
        page_js_article(&r->body, a);
    else
        page_article(&r->body, a, s->list, s->n);
    if (is == 3) {
        char *gbk;
        size_t gbk_len;
        if (site_to_gbk(r->body.s, r->body.len, &gbk, &gbk_len) == 0) {
            r->body.len = 0;
            sb_add(&r->body, gbk, gbk_len);
        }
        free(gbk);
        r->type = "text/html; charset=iso-8859-1"; /* the lie */
    }
    (void)c;
    return 1;
}

static void gzip_body(reply *r) {
    char *gz;
    size_t gz_len;
    if (site_gzip(r->body.s, r->body.len, &gz, &gz_len) == 0) {
        r->body.len = 0;
        sb_add(&r->body, gz, gz_len);
    }
    free(gz);
}

/* /bomb: 20 MB of zeros as a 20 kB gzip body (Content-Encoding: gzip), for decoded-size limits. */
static void gzip_bomb(reply *r) {
    size_t n = 20u << 20;
    char *zeros = calloc(1, n);
    if (zeros) sb_add(&r->body, zeros, n);
    free(zeros);
    gzip_body(r);
    add_header(r, "Content-Encoding: %s", "gzip");
    r->type = "text/plain";
}

/* /ratelimit/KEY: 429 with Retry-After (seconds, or an HTTP date) the first `fail` times. */
static void rate_limited(struct MHD_Connection *c, const char *path, reply *r) {
    if (count_hit(path) <= arg_int(c, "fail", 1)) {
        r->status = 429;
        int after = arg_int(c, "after", 1);
        char value[64];
        if (arg_int(c, "date", 0)) {
            time_t t = time(NULL) + after;
            struct tm tm;
            strftime(value, sizeof value, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&t, &tm));
        } else {
            snprintf(value, sizeof value, "%d", after);
        }
        add_header(r, "Retry-After: %s", value);
    }
    sb_printf(&r->body, r->status == 429 ? "too many requests\n"
                                         : "<html><body><p>rate limit lifted</p></body></html>\n");
}

/* /headers: the request's User-Agent and Accept-Encoding as JSON. */
static void echo_headers(struct MHD_Connection *c, reply *r) {
    cJSON *o = cJSON_CreateObject();
    const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
    cJSON_AddStringToObject(o, "user_agent", ua ? ua : "");
    cJSON_AddStringToObject(o, "accept_encoding", ae ? ae : "");
    char *text = cJSON_PrintUnformatted(o);
    sb_printf(&r->body, "%s\n", text);
    free(text);
    cJSON_Delete(o);
    r->type = "application/json";
}

/* Routes that are not plain pages: failures, redirects, sizes, cookies. */
static int special_route(struct MHD_Connection *c, const char *path, reply *r) {
    if (strcmp(path, "/slow") == 0) {
        r->sleep_ms = arg_int(c, "ms", 2000); /* after the log line: it is written on arrival */
        sb_printf(&r->body, "<html><body><p>slow page</p></body></html>\n");
    } else if (strncmp(path, "/flaky/", 7) == 0) {
        if (count_hit(path) <= arg_int(c, "fail", 2)) r->status = 503;
        sb_printf(&r->body,
                  r->status == 503 ? "busy\n" : "<html><body><p>flaky page recovered</p></body></html>\n");
    } else if (strncmp(path, "/ratelimit/", 11) == 0) {
        rate_limited(c, path, r);
    } else if (strcmp(path, "/loop/a") == 0 || strcmp(path, "/loop/b") == 0) {
        r->status = 302;
        add_header(r, "Location: %s", path[6] == 'a' ? "/loop/b" : "/loop/a");
    } else if (strcmp(path, "/redirect") == 0) {
        int n = arg_int(c, "n", 1);
        char target[64];
        if (n > 1)
            snprintf(target, sizeof target, "/redirect?n=%d", n - 1);
        else
            snprintf(target, sizeof target, "/news/");
        r->status = 302;
        add_header(r, "Location: %s", target);
    } else if (strcmp(path, "/huge") == 0) {
        r->huge = HUGE_BYTES;
        r->chunked = arg_int(c, "chunked", 0);
        r->type = "text/plain";
    } else if (strcmp(path, "/bomb") == 0) {
        gzip_bomb(r);
    } else if (strcmp(path, "/cookie/set") == 0) {
        add_header(r, "Set-Cookie: %s", "session=S1; Path=/");
        sb_printf(&r->body, "cookie set\n");
        r->type = "text/plain";
    } else if (strcmp(path, "/cookie/check") == 0) {
        const char *cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
        sb_printf(&r->body, "%s\n", cookie ? cookie : "");
        r->type = "text/plain";
    } else if (strcmp(path, "/headers") == 0) {
        echo_headers(c, r);
    } else {
        return 0;
    }
    return 1;
}

/* /media/NAME: a file of the --content folder (audio or video for media links). */
static int media_route(const char *path, reply *r) {
    if (strncmp(path, "/media/", 7) != 0 || !site.content_dir || strstr(path, "..")) return 0;
    char file[1024];
    snprintf(file, sizeof file, "%s/%s", site.content_dir, path + 7);
    char *bytes;
    size_t len;
    if (yq_read_file(file, &bytes, &len)) return 0;
    sb_add(&r->body, bytes, len);
    free(bytes);
    const char *dot = strrchr(path, '.');
    r->type = dot && !strcmp(dot, ".wav") ? "audio/wav" : dot && !strcmp(dot, ".mp3") ? "audio/mpeg"
                                                                                      : "application/octet-stream";
    return 1;
}

/* Routes built from the article list. */
static int content_route(struct MHD_Connection *c, const char *path, const char *host, reply *r) {
    site_snapshot s;
    if (site_list(site.content_dir, &s)) return 0;
    int found = 1;
    if (strcmp(path, "/") == 0 || strcmp(path, "/news/") == 0) {
        page_index(&r->body, s.list, s.n, arg_int(c, "page", 1) < 1 ? 1 : arg_int(c, "page", 1));
    } else if (strcmp(path, "/feed.rss") == 0) {
        page_rss(&r->body, host, s.list, s.n);
        r->type = "application/rss+xml; charset=utf-8";
    } else if (strcmp(path, "/feed.atom") == 0) {
        page_atom(&r->body, host, s.list, s.n);
        r->type = "application/atom+xml; charset=utf-8";
    } else if (strcmp(path, "/sitemap_index.xml") == 0) {
        page_sitemap_index(&r->body, host);
        r->type = "application/xml";
    } else if (strcmp(path, "/sitemap-news.xml") == 0 || strcmp(path, "/sitemap-archive.xml.gz") == 0) {
        page_sitemap(&r->body, host, s.list, s.n, path[9] == 'a');
        r->type = "application/xml";
        if (path[9] == 'a') {
            gzip_body(r);
            r->type = "application/gzip";
        }
    } else if (strcmp(path, "/gzip.html") == 0 && s.n) {
        page_article(&r->body, s.list[0], s.list, s.n);
        const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
        if (ae && strstr(ae, "gzip")) {
            gzip_body(r);
            add_header(r, "Content-Encoding: %s", "gzip");
        }
    } else if (strcmp(path, "/robots.txt") == 0) {
        page_robots(&r->body, host, site.crawl_delay);
        r->type = "text/plain";
    } else if (strcmp(path, "/private/secret.html") == 0) {
        sb_printf(&r->body, "<html><body><p>not for robots</p></body></html>\n");
    } else {
        found = article_route(c, path, &s, r);
    }
    site_list_free(&s);
    return found;
}

static void admin_add(const request *rq, reply *r) {
    site_article a;
    if (rq->upload.len && site_article_from_json(rq->upload.s, rq->upload.len, &a) == 0 &&
        site_add_article(&a) == 0) {
        sb_printf(&r->body, "{\"added\": true}\n");
    } else {
        r->status = 400;
        sb_printf(&r->body, "{\"error\": \"bad article JSON\"}\n");
    }
    r->type = "application/json";
}

static enum MHD_Result add_query_arg(void *user, enum MHD_ValueKind kind, const char *key,
                                     const char *value) {
    sbuf *q = user;
    sb_printf(q, "%s%s%s%s", q->len ? "&" : "", key, value ? "=" : "", value ? value : "");
    (void)kind;
    return MHD_YES;
}

static void log_request(struct MHD_Connection *c, const request *rq, const char *method, const char *path,
                        int status, int proxied) {
    if (!site.log) return;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    int port = info && info->client_addr->sa_family == AF_INET
                   ? ntohs(((struct sockaddr_in *)info->client_addr)->sin_port)
                   : 0;
    const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
    sbuf query = {0};
    sb_add(&query, "", 0);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query_arg, &query);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "t", rq->arrived);
    cJSON_AddStringToObject(o, "method", method);
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddStringToObject(o, "query", query.s);
    free(query.s);
    cJSON_AddStringToObject(o, "ua", ua ? ua : "");
    cJSON_AddNumberToObject(o, "port", port);
    cJSON_AddNumberToObject(o, "status", status);
    if (proxied) cJSON_AddTrueToObject(o, "proxy");
    char *line = cJSON_PrintUnformatted(o);
    pthread_mutex_lock(&site.lock);
    fprintf(site.log, "%s\n", line);
    fflush(site.log);
    pthread_mutex_unlock(&site.lock);
    free(line);
    cJSON_Delete(o);
}

/* The 50 MB body: a repeating line, generated as it is sent. */
static ssize_t huge_body(void *cls, uint64_t pos, char *buf, size_t max) {
    static const char line[] = "0123456789 the fixture site's huge response, generated on the fly\n";
    long total = (long)(intptr_t)cls;
    if ((long)pos >= total) return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = max < (size_t)(total - (long)pos) ? max : (size_t)(total - (long)pos);
    for (size_t i = 0; i < n; i++)
        buf[i] = line[(pos + i) % (sizeof line - 1)];
    return (ssize_t)n;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, reply *r) {
    struct MHD_Response *m;
    if (r->huge)
        m = MHD_create_response_from_callback(r->chunked ? MHD_SIZE_UNKNOWN : (uint64_t)r->huge, 64 * 1024,
                                              huge_body, (void *)(intptr_t)r->huge, NULL);
    else
        m = MHD_create_response_from_buffer(r->body.len, r->body.s ? r->body.s : "", MHD_RESPMEM_MUST_COPY);
    if (!m) return MHD_NO;
    MHD_add_response_header(m, "Content-Type", r->type);
    for (int i = 0; i < r->n_headers; i++) {
        char *colon = strchr(r->headers[i], ':');
        *colon = '\0';
        MHD_add_response_header(m, r->headers[i], colon + 2);
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, m);
    MHD_destroy_response(m);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size,
                                  void **state) {
    request *rq = *state;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq) return MHD_NO;
        rq->arrived = now_s();
        *state = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rq->upload.len < 1 << 20) sb_add(&rq->upload, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    reply r = {.status = 200, .type = "text/html; charset=utf-8"};
    const char *host_header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    char host[256];
    snprintf(host, sizeof host, "%s", host_header ? host_header : "127.0.0.1");
    /* a forward-proxy request ("GET http://any.host/path"): served as if for this site */
    int proxied = strncmp(url, "http://", 7) == 0;
    if (proxied) url = strchr(url + 7, '/') ? strchr(url + 7, '/') : "/";
    if (strcmp(method, "POST") == 0 && strcmp(url, "/admin/article") == 0) {
        admin_add(rq, &r);
    } else if (!special_route(c, url, &r) && !media_route(url, &r) && !content_route(c, url, host, &r)) {
        r.status = 404;
        r.body.len = 0;
        sb_printf(&r.body, "<html><body><h1>404 Not Found</h1></body></html>\n");
    }
    log_request(c, rq, method, url, r.status, proxied);
    if (r.sleep_ms > 0) usleep((useconds_t)r.sleep_ms * 1000);
    enum MHD_Result ok = send_reply(c, &r);
    free(r.body.s);
    (void)cls, (void)version;
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode toe) {
    request *rq = *state;
    if (rq) free(rq->upload.s);
    free(rq);
    *state = NULL;
    (void)cls, (void)c, (void)toe;
}

static int usage(void) {
    fprintf(stderr, "usage: fixture_site [--port N] [--log FILE.jsonl] [--content DIR] [--crawl-delay S]\n");
    return 2;
}

int main(int argc, char **argv) {
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) return usage();
        if (strcmp(argv[i], "--port") == 0)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--log") == 0)
            site.log = fopen(argv[++i], "a");
        else if (strcmp(argv[i], "--content") == 0)
            site.content_dir = argv[++i];
        else if (strcmp(argv[i], "--crawl-delay") == 0)
            site.crawl_delay = atof(argv[++i]);
        else
            return usage();
        if (strcmp(argv[i - 1], "--log") == 0 && !site.log) {
            perror(argv[i]);
            return 1;
        }
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* the server's threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                         on_request, NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_NOTIFY_COMPLETED,
                         on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "fixture_site: cannot listen on 127.0.0.1:%d\n", port);
        return 1;
    }
    printf("%u\n", (unsigned)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    if (site.log) fclose(site.log);
    return 0;
}
