/* The HTTP server layer shared by the OpenAI API and the analysis API: libmicrohttpd underneath,
 * a route table on top, API-key checks, body-size limits, JSON and streamed responses. */
#ifndef YUQING_HTTP_H
#define YUQING_HTTP_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct yq_http_request yq_http_request;
typedef struct yq_http_response yq_http_response;
typedef struct yq_http_stream yq_http_stream;
typedef struct yq_http_server yq_http_server;

/* Handles a request; returns the response to send (never NULL). Runs on a server thread and
 * must not block: long work answers with a stream. */
typedef yq_http_response *(*yq_http_handler)(void *ctx, const yq_http_request *req);

typedef struct yq_http_route {
    const char *method; /* "GET", "POST" */
    const char *path;   /* exact path */
    yq_http_handler handler;
    void *ctx;
} yq_http_route;

typedef struct yq_http_config {
    const char *host;       /* IPv4 address to bind, e.g. "127.0.0.1" */
    int port;               /* 0: any free port (see yq_http_server_port) */
    const char *api_key;    /* NULL: no authentication; else "Authorization: Bearer KEY" */
    size_t max_body;        /* larger bodies get 413 */
    int threads;            /* connection-handling threads */
    int timeout_seconds;    /* idle connections are closed after this */
    int max_connections;
} yq_http_config;

/* Starts listening. Routes are copied. Errors: YQ_EINVAL (bad host), YQ_EIO (cannot bind). */
int yq_http_server_start(const yq_http_config *config, const yq_http_route *routes, int n_routes,
                         yq_http_server **out);
int yq_http_server_port(const yq_http_server *server);
/* Stops accepting new connections (drain); running responses go on. */
void yq_http_server_quiesce(yq_http_server *server);
/* Number of responses still streaming. */
int yq_http_server_active_streams(yq_http_server *server);
void yq_http_server_stop(yq_http_server *server);

/* Request accessors (borrowed, valid during the handler). */
const char *yq_http_method(const yq_http_request *req);
const char *yq_http_path(const yq_http_request *req);
const char *yq_http_body(const yq_http_request *req, size_t *len);
const char *yq_http_header(const yq_http_request *req, const char *name);
/* A query-string argument ("?q=..."), decoded, or NULL. */
const char *yq_http_query(const yq_http_request *req, const char *name);

/* A complete response; `body` is copied. */
yq_http_response *yq_http_text(int status, const char *content_type, const char *body, size_t len);
/* A JSON response; takes ownership of `json`. */
yq_http_response *yq_http_json(int status, cJSON *json);
/* OpenAI's error object: {"error": {"message", "type", "param", "code"}}. */
yq_http_response *yq_http_error(int status, const char *type, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A response whose body is produced later, from any thread, through *stream. `heartbeat` is
 * sent whenever the body has been idle for a second (e.g. an SSE comment, or a space before a
 * JSON body), so that a departed client is noticed; NULL for none. `on_abort` is called once if
 * the client goes away before yq_http_stream_close (e.g. to cancel the work); `user` belongs to
 * the stream and is released with free() when the stream is freed. */
yq_http_response *yq_http_streamed(int status, const char *content_type, const char *heartbeat,
                                   void (*on_abort)(void *user), void *user, yq_http_stream **stream);
/* The response's HTTP status. */
int yq_http_response_status(const yq_http_response *response);

/* Frees a response that will not be sent (for a streamed one, its stream too: the producer must
 * not use it afterwards). */
void yq_http_response_free(yq_http_response *response);

/* Appends body bytes; returns -1 once the client is gone (the bytes are dropped). */
int yq_http_stream_write(yq_http_stream *stream, const char *data, size_t len);
/* Ends the body; the producer must not touch the stream afterwards. */
void yq_http_stream_close(yq_http_stream *stream);

#endif
