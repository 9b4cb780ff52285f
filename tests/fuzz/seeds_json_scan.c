/* Seed corpus for fuzz_json_scan: broker Publish calls as members send
 * them, plain and not (space, escapes, multi-byte UTF-8), and the texts
 * the fast path must decline. Usage: seeds_json_scan DIR */
#include <stdio.h>
#include <string.h>
#include "fuzz_seeds.h"

static const char *const seeds[] = {
	"{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"jobs.done\",\"data\":{\"id\":7,\"ok\":true}}}",
	"{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":\"caf\xc3\xa9 \xe2\x82\xac "
	"\xf0\x9f\x98\x80\"},\"oneway\":true}",
	"{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":\"a\\\"b\\\\c\\n\\u00e9\"}}",
	"{ \"method\" : \"io.corral.Broker.Publish\" , \"parameters\" : { \"topic\" : \"a/b:c\" , \"data\" : [ 1 , -0.5e3 ,"
	" null , { \"k\" : false } ] } , \"more\" : false }",
	"{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"data\":[1,2,{\"x\":[\"]}\",\",:\"]}],\"topic\":\"x.y\"}}",
	"{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":1},\"from\":\"host\"}",
	"{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"topic\":\"u\",\"data\":null}}",
	"{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",/* \" */\"data\":1}}",
	"{\"method\":\"io.corral.Broker.Subscribe\",\"parameters\":{\"topics\":[\"a.*\"]},\"more\":true}",
	"{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":12345678901234567890123}}",
	"{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}",
};

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	return seeds_put(argv[1], seeds, sizeof(seeds) / sizeof(seeds[0]), "seed", ".json") < 0;
}
