module github.com/influxdata/inch

go 1.17

require github.com/influxdata/influxdb1-client v0.0.0-20191209144304-8bf82d3c094d
