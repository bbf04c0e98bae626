/* Streamed HTTP bodies: a producer thread appends bytes; libmicrohttpd's content reader takes
 * them, suspending the connection while there is nothing to send and resumed by the producer.
 * Idle streams get heartbeats so that a client that went away is noticed and its work cancelled. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_internal.h"

double yq_http_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

yq_http_response *yq_http_streamed(int status, const char *content_type, const char *heartbeat,
                                   void (*on_abort)(void *user), void *user, yq_http_stream **stream) {
    yq_http_response *r = yq_http_text(status, content_type, "", 0);
    yq_http_stream *s = calloc(1, sizeof *s);
    if (!r || !s) {
        free(s);
        if (r) free(r->body);
        free(r);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->refs = 2;
    s->heartbeat = heartbeat;
    s->on_abort = on_abort;
    s->user = user;
    s->last_activity = yq_http_now();
    r->stream = s;
    *stream = s;
    return r;
}

/* Drops one reference; the last one unlinks the stream from its server and frees it. */
static void stream_release(yq_http_stream *s) {
    pthread_mutex_lock(&s->lock);
    int refs = --s->refs;
    pthread_mutex_unlock(&s->lock);
    if (refs > 0) return;
    if (s->server) {
        pthread_mutex_lock(yq_http_streams_lock(s->server));
        yq_http_stream **link = yq_http_streams_head(s->server);
        while (*link && *link != s) link = &(*link)->next;
        if (*link) *link = s->next;
        pthread_mutex_unlock(yq_http_streams_lock(s->server));
    }
    pthread_mutex_destroy(&s->lock);
    free(s->user);
    free(s->buf);
    free(s);
}

/* Appends bytes and wakes the connection; the caller holds s->lock. */
static int append_locked(yq_http_stream *s, const char *data, size_t len) {
    if (s->gone) return -1;
    if (s->len + len > s->cap) {
        size_t cap = (s->len + len) * 2 + 256;
        char *buf = realloc(s->buf, cap);
        if (!buf) return -1;
        s->buf = buf;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    if (s->suspended && s->connection) {
        s->suspended = false;
        MHD_resume_connection(s->connection);
    }
    return 0;
}

int yq_http_stream_write(yq_http_stream *s, const char *data, size_t len) {
    pthread_mutex_lock(&s->lock);
    int rc = append_locked(s, data, len);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

void yq_http_stream_close(yq_http_stream *s) {
    pthread_mutex_lock(&s->lock);
    s->closed = true;
    if (s->suspended && s->connection) {
        s->suspended = false;
        MHD_resume_connection(s->connection);
    }
    pthread_mutex_unlock(&s->lock);
    stream_release(s);
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    yq_http_stream *s = cls;
    pthread_mutex_lock(&s->lock);
    ssize_t n;
    if (s->len > 0) {
        n = (ssize_t)(s->len < max ? s->len : max);
        memcpy(buf, s->buf, (size_t)n);
        memmove(s->buf, s->buf + n, s->len - (size_t)n);
        s->len -= (size_t)n;
        s->last_activity = yq_http_now();
    } else if (s->closed) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        s->suspended = true;
        MHD_suspend_connection(s->connection);
        n = 0;
    }
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* The response is gone: if the body was not finished, the client left early. */
static void free_stream(void *cls) {
    yq_http_stream *s = cls;
    pthread_mutex_lock(&s->lock);
    bool aborted = !s->closed && !s->abort_called;
    s->gone = true;
    s->abort_called = true;
    pthread_mutex_unlock(&s->lock);
    if (aborted && s->on_abort) s->on_abort(s->user);
    stream_release(s);
}

struct MHD_Response *yq_http_to_mhd(yq_http_server *server, struct MHD_Connection *connection,
                                    yq_http_response *r) {
    struct MHD_Response *m;
    if (r->stream) {
        yq_http_stream *s = r->stream;
        s->connection = connection;
        s->server = server;
        pthread_mutex_lock(yq_http_streams_lock(server));
        s->next = *yq_http_streams_head(server);
        *yq_http_streams_head(server) = s;
        pthread_mutex_unlock(yq_http_streams_lock(server));
        m = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, read_stream, s, free_stream);
        if (r->status == 200 && !strncmp(r->content_type, "text/event-stream", 17))
            MHD_add_response_header(m, "Cache-Control", "no-cache");
    } else {
        m = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_COPY);
    }
    if (m) MHD_add_response_header(m, "Content-Type", r->content_type);
    free(r->body);
    free(r);
    return m;
}

void yq_http_streams_tick(yq_http_server *server) {
    double now = yq_http_now();
    pthread_mutex_lock(yq_http_streams_lock(server));
    for (yq_http_stream *s = *yq_http_streams_head(server); s; s = s->next) {
        pthread_mutex_lock(&s->lock);
        if (s->heartbeat && !s->closed && !s->gone && now - s->last_activity >= 1.0) {
            append_locked(s, s->heartbeat, strlen(s->heartbeat));
            s->last_activity = now;
        }
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_unlock(yq_http_streams_lock(server));
}

void yq_http_response_free(yq_http_response *r) {
    if (!r) return;
    if (r->stream) {
        r->stream->closed = true;
        stream_release(r->stream); /* the producer's reference */
        stream_release(r->stream); /* the response's */
    }
    free(r->body);
    free(r);
}
