/* The HTTP server: a libmicrohttpd daemon (thread pool, suspend/resume for streamed bodies),
 * request bodies collected up to a limit, API-key checks, and dispatch through the route table. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"
#include "yuqing/error.h"

struct yq_http_server {
    struct MHD_Daemon *daemon;
    yq_http_config config;
    char *api_key;
    yq_http_route *routes;
    int n_routes;
    pthread_mutex_t streams_lock;
    yq_http_stream *streams;
    pthread_t ticker;
    bool stopping;
};

typedef struct {
    char *body;
    size_t len, cap;
    bool too_large, answered;
} request_state;

pthread_mutex_t *yq_http_streams_lock(yq_http_server *s) { return &s->streams_lock; }
yq_http_stream **yq_http_streams_head(yq_http_server *s) { return &s->streams; }

const char *yq_http_method(const yq_http_request *req) { return req->method; }
const char *yq_http_path(const yq_http_request *req) { return req->path; }
const char *yq_http_body(const yq_http_request *req, size_t *len) {
    *len = req->body_len;
    return req->body;
}
const char *yq_http_header(const yq_http_request *req, const char *name) {
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *yq_http_query(const yq_http_request *req, const char *name) {
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result send_response(yq_http_server *s, struct MHD_Connection *c, yq_http_response *r) {
    if (!r) r = yq_http_error(500, "server_error", NULL, "out of memory");
    if (!r) return MHD_NO;
    int status = r->status;
    struct MHD_Response *m = yq_http_to_mhd(s, c, r);
    if (!m) return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, m);
    MHD_destroy_response(m);
    return ok;
}

static bool authorized(const yq_http_server *s, struct MHD_Connection *c) {
    if (!s->api_key) return true;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    return auth && !strncmp(auth, "Bearer ", 7) && !strcmp(auth + 7, s->api_key);
}

static yq_http_response *dispatch(yq_http_server *s, const yq_http_request *req) {
    if (!authorized(s, req->connection))
        return yq_http_error(401, "invalid_request_error", NULL, "missing or wrong API key (Authorization: Bearer KEY)");
    bool path_known = false;
    for (int i = 0; i < s->n_routes; i++) {
        if (strcmp(s->routes[i].path, req->path) != 0) continue;
        path_known = true;
        if (!strcmp(s->routes[i].method, req->method)) return s->routes[i].handler(s->routes[i].ctx, req);
    }
    if (path_known) return yq_http_error(405, "invalid_request_error", NULL, "%s is not allowed on %s", req->method, req->path);
    return yq_http_error(404, "invalid_request_error", NULL, "unknown route %s %s", req->method, req->path);
}

static bool body_append(request_state *st, const char *data, size_t len, size_t max) {
    if (st->too_large || st->len + len > max) {
        st->too_large = true;
        return false;
    }
    if (st->len + len + 1 > st->cap) {
        size_t cap = (st->len + len + 1) * 2;
        char *body = realloc(st->body, cap);
        if (!body) return false;
        st->body = body;
        st->cap = cap;
    }
    memcpy(st->body + st->len, data, len);
    st->len += len;
    st->body[st->len] = '\0';
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    yq_http_server *s = cls;
    request_state *st = *con_cls;
    if (!st) {
        if (!(st = calloc(1, sizeof *st))) return MHD_NO;
        *con_cls = st;
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (length && strtoull(length, NULL, 10) > s->config.max_body) {
            st->answered = true;
            return send_response(s, c, yq_http_error(413, "invalid_request_error", NULL, "the body exceeds %zu bytes", s->config.max_body));
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!st->answered) body_append(st, upload, *upload_size, s->config.max_body);
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->answered) return MHD_YES;
    st->answered = true;
    if (st->too_large)
        return send_response(s, c, yq_http_error(413, "invalid_request_error", NULL, "the body exceeds %zu bytes", s->config.max_body));
    yq_http_request req = {method, url, st->body ? st->body : "", st->len, c};
    return send_response(s, c, dispatch(s, &req));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode code) {
    (void)cls, (void)c, (void)code;
    request_state *st = *con_cls;
    if (!st) return;
    free(st->body);
    free(st);
    *con_cls = NULL;
}

static void *ticker_main(void *arg) {
    yq_http_server *s = arg;
    while (!__atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE)) {
        nanosleep(&(struct timespec){0, 250000000}, NULL);
        yq_http_streams_tick(s);
    }
    return NULL;
}

static int copy_routes(yq_http_server *s, const yq_http_route *routes, int n) {
    s->routes = malloc((size_t)n * sizeof *routes);
    if (!s->routes) return yq_error(YQ_ENOMEM, "out of memory");
    memcpy(s->routes, routes, (size_t)n * sizeof *routes);
    s->n_routes = n;
    return YQ_OK;
}

int yq_http_server_start(const yq_http_config *config, const yq_http_route *routes, int n_routes,
                         yq_http_server **out) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)config->port)};
    if (inet_pton(AF_INET, config->host, &addr.sin_addr) != 1)
        return yq_error(YQ_EINVAL, "--host: '%s' is not an IPv4 address", config->host);
    yq_http_server *s = calloc(1, sizeof *s);
    if (!s) return yq_error(YQ_ENOMEM, "out of memory");
    s->config = *config;
    s->api_key = config->api_key ? strdup(config->api_key) : NULL;
    pthread_mutex_init(&s->streams_lock, NULL);
    int rc = copy_routes(s, routes, n_routes);
    if (!rc) {
        s->daemon = MHD_start_daemon(
            MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC,
            (uint16_t)config->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(config->threads > 0 ? config->threads : 2),
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)config->timeout_seconds,
            MHD_OPTION_CONNECTION_LIMIT, (unsigned)config->max_connections,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
        if (!s->daemon) rc = yq_error(YQ_EIO, "cannot listen on %s:%d (in use, or not allowed)", config->host, config->port);
    }
    if (!rc && pthread_create(&s->ticker, NULL, ticker_main, s) != 0) rc = yq_error(YQ_EIO, "cannot start a thread");
    if (rc) {
        if (s->daemon) MHD_stop_daemon(s->daemon);
        free(s->routes);
        free(s->api_key);
        free(s);
        return rc;
    }
    *out = s;
    return YQ_OK;
}

int yq_http_server_port(const yq_http_server *s) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : s->config.port;
}

void yq_http_server_quiesce(yq_http_server *s) { MHD_quiesce_daemon(s->daemon); }

int yq_http_server_active_streams(yq_http_server *s) {
    int n = 0;
    pthread_mutex_lock(&s->streams_lock);
    for (yq_http_stream *st = s->streams; st; st = st->next) n++;
    pthread_mutex_unlock(&s->streams_lock);
    return n;
}

void yq_http_server_stop(yq_http_server *s) {
    if (!s) return;
    __atomic_store_n(&s->stopping, true, __ATOMIC_RELEASE);
    pthread_join(s->ticker, NULL);
    MHD_stop_daemon(s->daemon);
    pthread_mutex_destroy(&s->streams_lock);
    free(s->routes);
    free(s->api_key);
    free(s);
}
