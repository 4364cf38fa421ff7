/*
 * A topic's settings the run must know and metadata does not carry (min.insync.replicas): asked once with
 * DescribeConfigs by a short-lived client of the run's own settings, off the event loop.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

typedef struct {
  rd_kafka_conf_t *conf; /* owned until rd_kafka_new takes it */
  char *topic;
} topic_ask_t;

static atomic_int asks_pending;

/* min.insync.replicas of the topic by the answer in ev; 0 when the answer does not say (an ACL, an error). */
static double min_insync_of(rd_kafka_event_t *ev) {
  if (!ev || rd_kafka_event_type(ev) != RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT || rd_kafka_event_error(ev)) return 0;
  size_t n = 0, entries = 0;
  const rd_kafka_ConfigResource_t **rs =
      rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
  if (n != 1 || rd_kafka_ConfigResource_error(rs[0])) return 0;
  const rd_kafka_ConfigEntry_t **cs = rd_kafka_ConfigResource_configs(rs[0], &entries);
  for (size_t i = 0; i < entries; i++) {
    const char *value = rd_kafka_ConfigEntry_value(cs[i]);
    if (!strcmp(rd_kafka_ConfigEntry_name(cs[i]), "min.insync.replicas") && value) return atof(value);
  }
  return 0;
}

/* The job, on the pool: a client, one DescribeConfigs within the timeout, the client destroyed. */
static void ask_run(ds_job_t *job) {
  topic_ask_t *ask = job->object;
  char errstr[512];
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, ask->conf, errstr, sizeof errstr);
  if (!rk) {
    job->err = RD_KAFKA_RESP_ERR__INVALID_ARG;
    return;
  }
  ask->conf = NULL;
  rd_kafka_ConfigResource_t *resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, ask->topic);
  rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
  if (resource && options && queue) {
    rd_kafka_AdminOptions_set_request_timeout(options, job->timeout_ms, errstr, sizeof errstr);
    rd_kafka_DescribeConfigs(rk, &resource, 1, options, queue);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(queue, job->timeout_ms + 1000);
    job->values[0] = min_insync_of(ev);
    job->n_values = 1;
    if (ev) rd_kafka_event_destroy(ev);
  }
  if (queue) rd_kafka_queue_destroy(queue);
  if (options) rd_kafka_AdminOptions_destroy(options);
  if (resource) rd_kafka_ConfigResource_destroy(resource);
  rd_kafka_destroy(rk);
}

static void ask_free(void *list) {
  topic_ask_t *ask = list;
  if (ask->conf) rd_kafka_conf_destroy(ask->conf);
  free(ask->topic);
  free(ask);
}

/*
 * topicMinInsync(config, topic, timeoutMs) -> Promise<[number]>: the topic's min.insync.replicas, 0 when the cluster
 * does not say (the principal may not DescribeConfigs, no answer in time).
 */
napi_value topic_min_insync(napi_env env, napi_callback_info info) {
  DS_ARGS(env, info, "topicMinInsync", 3);
  topic_ask_t *ask = calloc(1, sizeof *ask);
  if (!ask) return ds_throw(env, "NATIVE", "out of memory for a topic's settings");
  ask->topic = ds_string_dup(env, argv[1]);
  ask->conf = ask->topic ? ds_conf_from_object(env, argv[0]) : NULL;
  if (!ask->conf) {
    ask_free(ask);
    return NULL;
  }
  ds_job_t *job = ds_job_new(env, ask_run, ask, &asks_pending, argv[2]);
  if (!job) {
    ask_free(ask);
    return NULL;
  }
  job->list = ask;
  job->free_list = ask_free;
  return ds_job_start(env, argv[0], job);
}
