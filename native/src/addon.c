/* The module's entry: registers the producer, tweet plan, consumer, client log and topic settings functions
 * (producer.c, tweet-plan.c, consumer.c, client-log.c, topic-config.c). */
#include "common.h"

napi_value producer_new(napi_env, napi_callback_info);
napi_value producer_connect(napi_env, napi_callback_info);
napi_value producer_refresh_leaders(napi_env, napi_callback_info);
napi_value producer_produce_tweets(napi_env, napi_callback_info);
napi_value producer_produce_buffers(napi_env, napi_callback_info);
napi_value producer_stats(napi_env, napi_callback_info);
napi_value producer_failures(napi_env, napi_callback_info);
napi_value producer_take_latency(napi_env, napi_callback_info);
napi_value producer_close_js(napi_env, napi_callback_info);
napi_value tweet_plan_new(napi_env, napi_callback_info);
napi_value tweet_plan_encode(napi_env, napi_callback_info);
napi_value producer_partition_counts(napi_env, napi_callback_info);
napi_value consumer_new(napi_env, napi_callback_info);
napi_value consumer_connect(napi_env, napi_callback_info);
napi_value consumer_subscribe(napi_env, napi_callback_info);
napi_value consumer_assign(napi_env, napi_callback_info);
napi_value consumer_commit(napi_env, napi_callback_info);
napi_value consumer_consume(napi_env, napi_callback_info);
napi_value consumer_stats(napi_env, napi_callback_info);
napi_value consumer_watermarks(napi_env, napi_callback_info);
napi_value consumer_close_js(napi_env, napi_callback_info);
napi_value consumer_measure(napi_env, napi_callback_info);
napi_value consumer_pause(napi_env, napi_callback_info);
napi_value consumer_take_end_to_end(napi_env, napi_callback_info);
napi_value client_log_drain(napi_env, napi_callback_info);
napi_value client_config_check(napi_env, napi_callback_info);
napi_value topic_min_insync(napi_env, napi_callback_info);

static napi_value version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_string_utf8(env, rd_kafka_version_str(), NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
#define FN(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL}
      FN("librdkafkaVersion", version),
      FN("producerNew", producer_new),
      FN("producerConnect", producer_connect),
      FN("producerRefreshLeaders", producer_refresh_leaders),
      FN("producerProduceTweets", producer_produce_tweets),
      FN("producerProduceBuffers", producer_produce_buffers),
      FN("producerStats", producer_stats),
      FN("producerFailures", producer_failures),
      FN("producerTakeLatency", producer_take_latency),
      FN("producerClose", producer_close_js),
      FN("tweetPlanNew", tweet_plan_new),
      FN("tweetPlanEncode", tweet_plan_encode),
      FN("producerPartitionCounts", producer_partition_counts),
      FN("consumerNew", consumer_new),
      FN("consumerConnect", consumer_connect),
      FN("consumerSubscribe", consumer_subscribe),
      FN("consumerAssign", consumer_assign),
      FN("consumerCommit", consumer_commit),
      FN("consumerConsume", consumer_consume),
      FN("consumerStats", consumer_stats),
      FN("consumerWatermarks", consumer_watermarks),
      FN("consumerClose", consumer_close_js),
      FN("consumerMeasure", consumer_measure),
      FN("consumerPause", consumer_pause),
      FN("consumerTakeEndToEnd", consumer_take_end_to_end),
      FN("clientLogDrain", client_log_drain),
      FN("clientConfigCheck", client_config_check),
      FN("topicMinInsync", topic_min_insync),
#undef FN
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
