/* Post-processors, checked against the HF Node binding (tokenizers 0.23.2).
 * Each case: the encodings of the sequences before post-processing (HF with
 * no post-processor, one encode per text) and the expected final encoding
 * from `await tok.encode(a, b, {addSpecialTokens})` with the processor
 * (ids, type ids, offsets converted to bytes, word ids, special mask).
 * The tokenizers were tiny WordLevel ones; vocabs[] are their tokens by id. */
#include "tests/unit/testutil.h"

#include "libtok/internal.h"
#include "libtok/core/json.h"

typedef struct {
    const char *json;
    int vocab;
    bool add;
    size_t nseq;
    const char *in0, *in1; /* "id,start,end,word ..." */
    const char *want;      /* "id,start,end,word,type,special ..." */
} pcase;

static const char *const vocabs[][24] = {
    {"[UNK]", "[CLS]", "[SEP]", "hello", "world", "how", "are", "you", NULL},
    {"<s>", "[UNK]", "</s>", "\xC4\xA0hello", "\xC4\xA0world", "\xC4\xA0", "\xC4\xA0\xC4\xA0", "hello", "\xC4\xA0how", "\xC4\xA0\xC4\xA0\xC4\xA0", NULL},
    {"<s>", "[UNK]", "</s>", "hello", "world", NULL},
    {"[UNK]", "\xC4\xA0hello", "\xC4\xA0world", "\xC4\xA0", "\xC4\xA0\xC4\xA0", "hello", "\xC4\xA0how", "\xC4\xA0\xC4\xA0\xC4\xA0", "\xC4\xA0\xC3\xA9", "\xC3\xA9", "<sp>", "\xE3\x80\x80x", NULL},
    {"[UNK]", "<s>", "</s>", "hello", "world", "how", NULL},
    {"[UNK]", "[CLS]", "[SEP]", "hello", "world", "how", NULL},
    {"<s>", "\xC4\xA0hello", "\xC4\xA0world", "\xC4\xA0", "\xC4\xA0\xC4\xA0", "hello", "\xC4\xA0how", "\xC4\xA0\xC4\xA0\xC4\xA0", "[UNK]", NULL},
    {"[UNK]", "[CLS]", "[SEP]", "</s>", "<s>", "hello", "world", NULL},
};

static const pcase pcases[] = {
    /* BertProcessing: "hello world" */
    {"{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],\"cls\":[\"[CLS]\",1]}", 0, true, 1,
     "3,0,5,0 4,6,11,1",
     NULL,
     "1,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0 2,0,0,-1,0,1"},
    /* BertProcessing: "hello world" + "how are you" */
    {"{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],\"cls\":[\"[CLS]\",1]}", 0, true, 2,
     "3,0,5,0 4,6,11,1",
     "5,0,3,0 6,4,7,1 7,8,11,2",
     "1,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0 2,0,0,-1,0,1 5,0,3,0,1,0 6,4,7,1,1,0 7,8,11,2,1,0 2,0,0,-1,1,1"},
    /* BertProcessing: "hello world" + "how are you" (no specials) */
    {"{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],\"cls\":[\"[CLS]\",1]}", 0, false, 2,
     "3,0,5,0 4,6,11,1",
     "5,0,3,0 6,4,7,1 7,8,11,2",
     "3,0,5,0,0,0 4,6,11,1,0,0 5,0,3,0,1,0 6,4,7,1,1,0 7,8,11,2,1,0"},
    /* BertProcessing: "" + "you" */
    {"{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],\"cls\":[\"[CLS]\",1]}", 0, true, 2,
     "",
     "7,0,3,0",
     "1,0,0,-1,0,1 2,0,0,-1,0,1 7,0,3,0,1,0 2,0,0,-1,1,1"},
    /* RobertaProcessing: "hello world" */
    {"{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":true,\"add_prefix_space\":true}", 1, true, 1,
     "3,0,5,0 4,5,11,1",
     NULL,
     "0,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0 2,0,0,-1,0,1"},
    /* RobertaProcessing: "hello  world " + "how" */
    {"{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":true,\"add_prefix_space\":true}", 1, true, 2,
     "3,0,5,0 5,5,6,1 4,6,12,2 5,12,13,3",
     "8,0,3,0",
     "0,0,0,-1,0,1 3,0,5,0,0,0 5,6,6,1,0,0 4,7,12,2,0,0 5,13,13,3,0,0 2,0,0,-1,0,1 2,0,0,-1,0,1 8,0,3,0,0,0 2,0,0,-1,0,1"},
    /* RobertaProcessing: "  hello" + "  how" */
    {"{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":true,\"add_prefix_space\":true}", 1, true, 2,
     "5,0,1,0 3,1,7,1",
     "5,0,1,0 8,1,5,1",
     "0,0,0,-1,0,1 5,0,0,0,0,0 3,2,7,1,0,0 2,0,0,-1,0,1 2,0,0,-1,0,1 5,0,0,0,0,0 8,2,5,1,0,0 2,0,0,-1,0,1"},
    /* RobertaProcessing: "hello world" + "how" (no specials) */
    {"{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":true,\"add_prefix_space\":true}", 1, false, 2,
     "3,0,5,0 4,5,11,1",
     "8,0,3,0",
     "3,0,5,0,0,0 4,6,11,1,0,0 8,0,3,0,0,0"},
    /* Roberta no trim, add_prefix_space false: "hello  world " + "  how" */
    {"{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":false,\"add_prefix_space\":false}", 1, true, 2,
     "7,0,5,0 5,5,6,1 4,6,12,2 5,12,13,3",
     "5,0,1,0 8,1,5,1",
     "0,0,0,-1,0,1 7,0,5,0,0,0 5,5,6,1,0,0 4,6,12,2,0,0 5,12,13,3,0,0 2,0,0,-1,0,1 2,0,0,-1,0,1 5,0,1,0,0,0 8,1,5,1,0,0 2,0,0,-1,0,1"},
    /* Roberta declared without trim keys acts as Bert: "hello world" + "world" */
    {"{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0]}", 2, true, 2,
     "3,0,5,0 4,6,11,1",
     "4,0,5,0",
     "0,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0 2,0,0,-1,0,1 4,0,5,0,1,0 2,0,0,-1,1,1"},
    /* ByteLevel trim: "hello world" */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}", 3, true, 1,
     "1,0,5,0 2,5,11,1",
     NULL,
     "1,0,5,0,0,0 2,6,11,1,0,0"},
    /* ByteLevel trim: "  hello  " */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}", 3, true, 1,
     "3,0,1,0 1,1,7,1 4,7,9,2",
     NULL,
     "3,0,0,0,0,0 1,2,7,1,0,0 4,9,9,2,0,0"},
    /* ByteLevel trim: "hello" + "  how" */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}", 3, true, 2,
     "1,0,5,0",
     "3,0,1,0 6,1,5,1",
     "1,0,5,0,0,0 3,0,0,0,1,0 6,2,5,1,1,0"},
    /* ByteLevel trim: "é  é" */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}", 3, true, 1,
     "0,0,2,0 3,2,3,1 0,3,6,2",
     NULL,
     "0,0,2,0,0,0 3,3,3,1,0,0 0,3,6,2,0,0"},
    /* ByteLevel trim: "hello<sp> world" */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}", 3, true, 1,
     "1,0,5,0 10,5,9,1 2,9,15,2",
     NULL,
     "1,0,5,0,0,0 10,5,9,1,0,0 2,10,15,2,0,0"},
    /* ByteLevel trim: "hello　x" */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true}", 3, true, 1,
     "1,0,5,0 11,5,9,1",
     NULL,
     "1,0,5,0,0,0 11,8,9,1,0,0"},
    /* ByteLevel trim, no prefix space: " hello world" */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}", 3, true, 1,
     "1,0,6,0 2,6,12,1",
     NULL,
     "1,1,6,0,0,0 2,7,12,1,0,0"},
    /* ByteLevel trim, no prefix space: "  hello  " + " how" */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}", 3, true, 2,
     "3,0,1,0 1,1,7,1 4,7,9,2",
     "6,0,4,0",
     "3,1,1,0,0,0 1,2,7,1,0,0 4,9,9,2,0,0 6,1,4,0,1,0"},
    /* ByteLevel trim, no prefix space: "é  é" (no specials) */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}", 3, false, 1,
     "0,0,2,0 3,2,3,1 0,3,6,2",
     NULL,
     "0,0,2,0,0,0 3,3,3,1,0,0 0,3,6,2,0,0"},
    /* ByteLevel no trim: "  hello  " + "how" */
    {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":false,\"use_regex\":true}", 3, true, 2,
     "3,0,1,0 1,1,7,1 4,7,9,2",
     "6,0,3,0",
     "3,0,1,0,0,0 1,1,7,1,0,0 4,7,9,2,0,0 6,0,3,0,1,0"},
    /* TemplateProcessing llama2: "hello world" */
    {"{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":1}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}}", 4, true, 1,
     "3,0,5,0 4,6,11,1",
     NULL,
     "1,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0"},
    /* TemplateProcessing llama2: "hello world" + "how" */
    {"{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":1}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}}", 4, true, 2,
     "3,0,5,0 4,6,11,1",
     "5,0,3,0",
     "1,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0 1,0,0,-1,1,1 5,0,3,0,1,0"},
    /* TemplateProcessing llama2: "hello world" + "how" (no specials) */
    {"{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":1}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}}", 4, false, 2,
     "3,0,5,0 4,6,11,1",
     "5,0,3,0",
     "3,0,5,0,0,0 4,6,11,1,0,0 5,0,3,0,1,0"},
    /* TemplateProcessing llama2: "" */
    {"{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":1}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}}", 4, true, 1,
     "",
     NULL,
     "1,0,0,-1,0,1"},
    /* TemplateProcessing bert-like, multi-id special: "hello world" */
    {"{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}},{\"SpecialToken\":{\"id\":\"multi\",\"type_id\":2}}],\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[1],\"tokens\":[\"[CLS]\"]},\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[2],\"tokens\":[\"[SEP]\"]},\"multi\":{\"id\":\"multi\",\"ids\":[3,4,1],\"tokens\":[\"hello\",\"world\",\"[CLS]\"]}}}", 5, true, 1,
     "3,0,5,0 4,6,11,1",
     NULL,
     "1,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0 2,0,0,-1,0,1"},
    /* TemplateProcessing bert-like, multi-id special: "hello world" + "how world" */
    {"{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}},{\"SpecialToken\":{\"id\":\"multi\",\"type_id\":2}}],\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[1],\"tokens\":[\"[CLS]\"]},\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[2],\"tokens\":[\"[SEP]\"]},\"multi\":{\"id\":\"multi\",\"ids\":[3,4,1],\"tokens\":[\"hello\",\"world\",\"[CLS]\"]}}}", 5, true, 2,
     "3,0,5,0 4,6,11,1",
     "5,0,3,0 4,4,9,1",
     "1,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0 2,0,0,-1,0,1 5,0,3,0,1,0 4,4,9,1,1,0 2,0,0,-1,1,1 3,0,0,-1,2,1 4,0,0,-1,2,1 1,0,0,-1,2,1"},
    /* TemplateProcessing bert-like, multi-id special: "hello" + "how" (no specials) */
    {"{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}},{\"SpecialToken\":{\"id\":\"multi\",\"type_id\":2}}],\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[1],\"tokens\":[\"[CLS]\"]},\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[2],\"tokens\":[\"[SEP]\"]},\"multi\":{\"id\":\"multi\",\"ids\":[3,4,1],\"tokens\":[\"hello\",\"world\",\"[CLS]\"]}}}", 5, false, 2,
     "3,0,5,0",
     "5,0,3,0",
     "3,0,5,0,0,0 5,0,3,0,1,0"},
    /* TemplateProcessing B first, A twice: "hello world" */
    {"{\"type\":\"TemplateProcessing\",\"single\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":3}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"Sequence\":{\"id\":\"B\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}},{\"Sequence\":{\"id\":\"A\",\"type_id\":1}}],\"special_tokens\":{\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[2],\"tokens\":[\"[SEP]\"]}}}", 5, true, 1,
     "3,0,5,0 4,6,11,1",
     NULL,
     "3,0,5,0,3,0 4,6,11,1,3,0 2,0,0,-1,1,1 3,0,5,0,0,0 4,6,11,1,0,0"},
    /* TemplateProcessing B first, A twice: "hello world" + "how" */
    {"{\"type\":\"TemplateProcessing\",\"single\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":3}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"Sequence\":{\"id\":\"B\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}},{\"Sequence\":{\"id\":\"A\",\"type_id\":1}}],\"special_tokens\":{\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[2],\"tokens\":[\"[SEP]\"]}}}", 5, true, 2,
     "3,0,5,0 4,6,11,1",
     "5,0,3,0",
     "5,0,3,0,0,0 2,0,0,-1,1,1 3,0,5,0,1,0 4,6,11,1,1,0"},
    /* TemplateProcessing B first, A twice: "hello" + "how" (no specials) */
    {"{\"type\":\"TemplateProcessing\",\"single\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":3}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"Sequence\":{\"id\":\"B\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}},{\"Sequence\":{\"id\":\"A\",\"type_id\":1}}],\"special_tokens\":{\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[2],\"tokens\":[\"[SEP]\"]}}}", 5, false, 2,
     "3,0,5,0",
     "5,0,3,0",
     "5,0,3,0,0,0 3,0,5,0,1,0"},
    /* Sequence ByteLevel+Template (llama3 style): "hello  world" */
    {"{\"type\":\"Sequence\",\"processors\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":1}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[0],\"tokens\":[\"<s>\"]}}}]}", 6, true, 1,
     "5,0,5,0 3,5,6,1 2,6,12,2",
     NULL,
     "0,0,0,-1,0,1 5,0,5,0,0,0 3,6,6,1,0,0 2,7,12,2,0,0"},
    /* Sequence ByteLevel+Template (llama3 style): "hello " + " how" */
    {"{\"type\":\"Sequence\",\"processors\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":1}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[0],\"tokens\":[\"<s>\"]}}}]}", 6, true, 2,
     "5,0,5,0 3,5,6,1",
     "6,0,4,0",
     "0,0,0,-1,0,1 5,0,5,0,0,0 3,6,6,1,0,0 0,0,0,-1,1,1 6,0,4,0,1,0"},
    /* Sequence ByteLevel+Template (llama3 style): "hello " + " how" (no specials) */
    {"{\"type\":\"Sequence\",\"processors\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],\"pair\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":1}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[0],\"tokens\":[\"<s>\"]}}}]}", 6, false, 2,
     "5,0,5,0 3,5,6,1",
     "6,0,4,0",
     "5,0,5,0,0,0 3,6,6,1,0,0 6,0,4,0,1,0"},
    /* Sequence Bert+Roberta: "hello" + "world" */
    {"{\"type\":\"Sequence\",\"processors\":[{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],\"cls\":[\"[CLS]\",1]},{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",3],\"cls\":[\"<s>\",4],\"trim_offsets\":false,\"add_prefix_space\":false}]}", 7, true, 2,
     "5,0,5,0",
     "6,0,5,0",
     "4,0,0,-1,0,1 1,0,0,-1,0,0 5,0,5,0,0,0 2,0,0,-1,0,0 3,0,0,-1,0,1 3,0,0,-1,0,1 6,0,5,0,0,0 2,0,0,-1,0,0 3,0,0,-1,0,1"},
    /* Sequence Bert+Roberta: "hello" + "world" (no specials) */
    {"{\"type\":\"Sequence\",\"processors\":[{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],\"cls\":[\"[CLS]\",1]},{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",3],\"cls\":[\"<s>\",4],\"trim_offsets\":false,\"add_prefix_space\":false}]}", 7, false, 2,
     "5,0,5,0",
     "6,0,5,0",
     "5,0,5,0,0,0 6,0,5,0,0,0"},
};

/* A fake tokenizer holding just a vocabulary (ByteLevel trimming reads token texts). */
typedef struct {
    tok_tokenizer t;
    tok_token toks[32];
} fake_tok;

static void fake_init(fake_tok *f, const char *const *texts)
{
    memset(f, 0, sizeof *f);
    size_t n = 0;
    for (; texts && texts[n]; n++) {
        f->toks[n].text = texts[n];
        f->toks[n].text_len = (uint32_t)strlen(texts[n]);
        f->toks[n].bytes = (const uint8_t *)texts[n];
        f->toks[n].nbytes = f->toks[n].text_len;
    }
    f->t.vocab.tok = f->toks;
    f->t.vocab.n = n;
    f->t.vocab.unk_id = -1;
}

static tok_ctx *ctx_new(const tok_tokenizer *t)
{
    tok_ctx *c = calloc(1, sizeof(tok_ctx));
    c->tok = t;
    return c;
}

static void ctx_free(tok_ctx *c)
{
    tok_arena_free(&c->arena);
    tok_enc_free(&c->enc[0]);
    tok_enc_free(&c->enc[1]);
    free(c);
}

static tok_processor *load(const char *json, tok_error *err)
{
    json_error_t je;
    json_t *j = json_loads(json, JSON_DECODE_ANY, &je);
    if (!j) fail_msg("bad test JSON: %s", je.text);
    tok_jctx jc = {.file = "test.json", .err = err};
    tok_jpush(&jc, "post_processor");
    tok_processor *p = tok_processor_from_json(&jc, j, NULL);
    json_decref(j);
    return p;
}

static void parse_enc(tok_enc *e, const char *s, uint8_t type_id)
{
    tok_enc_clear(e);
    while (s && *s) {
        int id, a, b, w, n = 0;
        if (sscanf(s, "%d,%d,%d,%d%n", &id, &a, &b, &w, &n) != 4) fail_msg("bad encoding string \"%s\"", s);
        assert_int_equal(tok_enc_push(e, id, (tok_offset){(uint32_t)a, (uint32_t)b}, w, type_id, 0), 0);
        s += n;
        while (*s == ' ') s++;
    }
}

static void fmt_enc(const tok_enc *e, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < e->n && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%d,%u,%u,%d,%u,%u", i ? " " : "", e->ids[i], e->off[i].start,
                              e->off[i].end, e->words[i], e->type_ids[i], e->special[i]);
}

/* Run p on the case's sequences; the result must be one encoding equal to want. */
static void check(const tok_processor *p, tok_ctx *c, const char *in0, const char *in1, size_t nseq, bool add,
                  const char *want, const char *what)
{
    parse_enc(&c->enc[0], in0, 0);
    parse_enc(&c->enc[1], nseq == 2 ? in1 : NULL, 1);
    tok_arena_reset(&c->arena);
    size_t n = nseq;
    tok_status st = p->vt->run(p, c->enc, &n, add, c);
    if (st) fail_msg("%s: run failed: %s", what, c->err);
    assert_int_equal(n, 1);
    char got[2048];
    fmt_enc(&c->enc[0], got, sizeof got);
    if (strcmp(got, want)) fail_msg("%s:\n  got  %s\n  want %s", what, got, want);
}

static void test_reference_cases(void **state)
{
    (void)state;
    fake_tok *f = malloc(sizeof *f);
    for (size_t i = 0; i < sizeof pcases / sizeof pcases[0]; i++) {
        const pcase *k = &pcases[i];
        fake_init(f, vocabs[k->vocab]);
        tok_ctx *c = ctx_new(&f->t);
        tok_error err = {0};
        tok_processor *p = load(k->json, &err);
        if (!p) fail_msg("case %zu: load failed: %s", i, err.message);
        char what[64];
        snprintf(what, sizeof what, "case %zu", i);
        check(p, c, k->in0, k->in1, k->nseq, k->add, k->want, what);

        /* to_json gives a processor that does the same */
        json_t *j = p->vt->to_json(p);
        char *dump = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        tok_processor *p2 = load(dump, &err);
        if (!p2) fail_msg("case %zu: reload of %s failed: %s", i, dump, err.message);
        snprintf(what, sizeof what, "case %zu after to_json", i);
        check(p2, c, k->in0, k->in1, k->nseq, k->add, k->want, what);
        free(dump);
        tok_processor_free(p2);
        tok_processor_free(p);
        ctx_free(c);
    }
    free(f);
}

/* The template shorthand of HF's Python/Node API ("<s> $A", "$B:1", lists of
 * strings) gives the same as the object form tokenizer.json holds. */
static void test_template_shorthand(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "{\"type\":\"TemplateProcessing\",\"single\":\"<s> $A\",\"pair\":\"<s> $A <s>:1 $B:1\","
        "\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}}",
        "{\"type\":\"TemplateProcessing\",\"single\":[\"<s>\",\"$0\"],\"pair\":[\"<s>:0\",\"$\",\"<s>:1\",\"$b:1\"],"
        "\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}}",
        "{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},\"$a\"],"
        "\"pair\":\"<s> $A:0 <s>:1 $1:0 $B:1\",\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1]}}}",
    };
    /* want: the llama2-style cases above ("hello world" [+ "how"]); the third
     * form's pair has an extra "$1:0" (sequence A again, type id 0). */
    fake_tok *f = malloc(sizeof *f);
    fake_init(f, NULL);
    tok_ctx *c = ctx_new(&f->t);
    for (size_t i = 0; i < 3; i++) {
        tok_error err = {0};
        tok_processor *p = load(forms[i], &err);
        if (!p) fail_msg("form %zu: %s", i, err.message);
        check(p, c, "3,0,5,0 4,6,11,1", NULL, 1, true, "1,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0", "shorthand single");
        check(p, c, "3,0,5,0 4,6,11,1", "5,0,3,0", 2, true,
              i < 2 ? "1,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0 1,0,0,-1,1,1 5,0,3,0,1,0"
                    : "1,0,0,-1,0,1 3,0,5,0,0,0 4,6,11,1,0,0 1,0,0,-1,1,1 3,0,5,0,0,0 4,6,11,1,0,0 5,0,3,0,1,0",
              "shorthand pair");
        tok_processor_free(p);
    }
    ctx_free(c);
    free(f);
}

/* HF only panics when a template needs what is not there; libtok fails the call. */
static void test_template_runtime_errors(void **state)
{
    (void)state;
    fake_tok *f = malloc(sizeof *f);
    fake_init(f, NULL);
    tok_ctx *c = ctx_new(&f->t);
    tok_error err = {0};
    tok_processor *p = load("{\"type\":\"TemplateProcessing\",\"single\":\"[CLS] $A\",\"pair\":\"$A $B [SEP]\","
                            "\"special_tokens\":{}}", &err);
    if (!p) fail_msg("%s", err.message);
    parse_enc(&c->enc[0], "3,0,5,0", 0);
    size_t n = 1;
    assert_int_equal(p->vt->run(p, c->enc, &n, true, c), TOK_ERR_FORMAT);
    assert_non_null(strstr(c->err, "special token \"[CLS]\" is not in special_tokens"));
    /* without special tokens the template still applies */
    check(p, c, "3,0,5,0", "4,0,1,0", 2, false, "3,0,5,0,0,0 4,0,1,0,0,0", "missing special, add=false");
    tok_processor_free(p);

    p = load("{\"type\":\"TemplateProcessing\",\"single\":\"$B\",\"pair\":\"$A $B\",\"special_tokens\":{}}", &err);
    if (!p) fail_msg("%s", err.message);
    parse_enc(&c->enc[0], "3,0,5,0", 0);
    n = 1;
    assert_int_equal(p->vt->run(p, c->enc, &n, true, c), TOK_ERR_ARG);
    check(p, c, "3,0,5,0", "4,0,1,0", 2, true, "3,0,5,0,0,0 4,0,1,0,0,0", "pair with $A $B");
    tok_processor_free(p);
    ctx_free(c);
    free(f);
}

/* HF's untagged reading: a Roberta/Bert object is Roberta iff it has
 * trim_offsets and add_prefix_space, whatever its "type" says. */
static void test_bert_roberta_shape(void **state)
{
    (void)state;
    tok_error err = {0};
    tok_processor *p = load("{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],\"cls\":[\"[CLS]\",1],"
                            "\"trim_offsets\":false,\"add_prefix_space\":false}", &err);
    assert_non_null(p);
    assert_string_equal(p->vt->type, "RobertaProcessing");
    tok_processor_free(p);
    p = load("{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":true}", &err);
    assert_non_null(p);
    assert_string_equal(p->vt->type, "BertProcessing");
    tok_processor_free(p);
}

static void test_to_json_matches_hf(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":false}",
         "{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":false,\"use_regex\":true}"},
        {"{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],\"cls\":[\"[CLS]\",1]}",
         "{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2],\"cls\":[\"[CLS]\",1]}"},
        {"{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":true,\"add_prefix_space\":true}",
         "{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":true,\"add_prefix_space\":true}"},
        {"{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],"
         "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],"
         "\"special_tokens\":{\"z\":{\"id\":\"z\",\"ids\":[1],\"tokens\":[\"z\"]},\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}}",
         "{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],"
         "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],"
         "\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]},\"z\":{\"id\":\"z\",\"ids\":[1],\"tokens\":[\"z\"]}}}"},
        {"{\"type\":\"Sequence\",\"processors\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":false}]}",
         "{\"type\":\"Sequence\",\"processors\":[{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":false,\"use_regex\":true}]}"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        tok_error err = {0};
        tok_processor *p = load(pairs[i][0], &err);
        if (!p) fail_msg("%s: %s", pairs[i][0], err.message);
        json_t *j = p->vt->to_json(p);
        char *dump = json_dumps(j, JSON_COMPACT);
        assert_string_equal(dump, pairs[i][1]);
        free(dump);
        json_decref(j);
        tok_processor_free(p);
    }
}

static void expect_error(const char *json, tok_status code, const char *needle)
{
    tok_error err = {0};
    tok_processor *p = load(json, &err);
    if (p) {
        tok_processor_free(p);
        fail_msg("loading %s succeeded", json);
    }
    if (err.code != code) fail_msg("%s: code %d (%s), want %d", json, err.code, err.message, code);
    if (!strstr(err.message, needle)) fail_msg("%s: message \"%s\" lacks \"%s\"", json, err.message, needle);
    if (strncmp(err.message, "test.json: at post_processor", 28)) fail_msg("%s: message \"%s\" lacks file/path", json, err.message);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_error("{\"type\":\"Nope\"}", TOK_ERR_UNSUPPORTED, "at post_processor.type: unsupported post-processor type \"Nope\"");
    expect_error("{\"sep\":[\"[SEP]\",2]}", TOK_ERR_FORMAT, "missing required key \"type\"");
    expect_error("\"BertProcessing\"", TOK_ERR_FORMAT, "at post_processor: expected an object");
    expect_error("{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\"],\"cls\":[\"[CLS]\",1]}", TOK_ERR_FORMAT,
                 "at post_processor.sep: expected [token, id]");
    expect_error("{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",\"2\"],\"cls\":[\"[CLS]\",1]}", TOK_ERR_FORMAT,
                 "at post_processor.sep: expected [token, id]");
    expect_error("{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",-2],\"cls\":[\"[CLS]\",1]}", TOK_ERR_FORMAT,
                 "at post_processor.sep: token id -2 out of range");
    expect_error("{\"type\":\"BertProcessing\",\"sep\":\"[SEP]\",\"cls\":[\"[CLS]\",1]}", TOK_ERR_FORMAT,
                 "at post_processor.sep: expected an array");
    expect_error("{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",2]}", TOK_ERR_FORMAT, "missing required key \"cls\"");
    expect_error("{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":\"yes\","
                 "\"add_prefix_space\":true}", TOK_ERR_FORMAT, "at post_processor.trim_offsets: expected a boolean");
    expect_error("{\"type\":\"ByteLevel\",\"add_prefix_space\":1}", TOK_ERR_FORMAT,
                 "at post_processor.add_prefix_space: expected a boolean");
    expect_error("{\"type\":\"TemplateProcessing\",\"single\":\"$C\"}", TOK_ERR_FORMAT,
                 "at post_processor.single: cannot build a template piece from \"$C\"");
    expect_error("{\"type\":\"TemplateProcessing\",\"single\":\"$A:x\"}", TOK_ERR_FORMAT,
                 "at post_processor.single: cannot build a template piece from \"$A:x\"");
    expect_error("{\"type\":\"TemplateProcessing\",\"single\":\"a:1:2\"}", TOK_ERR_FORMAT,
                 "at post_processor.single: cannot build a template piece");
    expect_error("{\"type\":\"TemplateProcessing\",\"single\":5}", TOK_ERR_FORMAT,
                 "at post_processor.single: expected a template");
    expect_error("{\"type\":\"TemplateProcessing\",\"single\":[{\"Foo\":{}}]}", TOK_ERR_UNSUPPORTED,
                 "at post_processor.single[0]: unsupported template piece");
    expect_error("{\"type\":\"TemplateProcessing\",\"single\":[3]}", TOK_ERR_FORMAT,
                 "at post_processor.single[0]: expected a template piece");
    expect_error("{\"type\":\"TemplateProcessing\",\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                 "{\"Sequence\":{\"id\":\"C\",\"type_id\":0}}]}", TOK_ERR_UNSUPPORTED,
                 "at post_processor.pair[1].Sequence.id: unsupported sequence id");
    expect_error("{\"type\":\"TemplateProcessing\",\"pair\":[{\"Sequence\":{\"id\":\"A\"}}]}", TOK_ERR_FORMAT,
                 "at post_processor.pair[0].Sequence: missing required key \"type_id\"");
    expect_error("{\"type\":\"TemplateProcessing\",\"pair\":[{\"SpecialToken\":{\"id\":\"x\",\"type_id\":\"0\"}}]}",
                 TOK_ERR_FORMAT, "at post_processor.pair[0].SpecialToken.type_id: expected an integer");
    expect_error("{\"type\":\"TemplateProcessing\",\"single\":\"$A:300\"}", TOK_ERR_UNSUPPORTED,
                 "type_id 300 is larger than libtok supports");
    expect_error("{\"type\":\"TemplateProcessing\",\"special_tokens\":[]}", TOK_ERR_FORMAT,
                 "at post_processor.special_tokens: expected an object");
    expect_error("{\"type\":\"TemplateProcessing\",\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[\"1\"]}}}",
                 TOK_ERR_FORMAT, "at post_processor.special_tokens.<s>.ids[0]: expected a token id");
    expect_error("{\"type\":\"TemplateProcessing\",\"special_tokens\":{\"<s>\":{\"id\":\"<s>\"}}}", TOK_ERR_FORMAT,
                 "at post_processor.special_tokens.<s>: missing required key \"ids\"");
    expect_error("{\"type\":\"TemplateProcessing\",\"special_tokens\":{\"<s>\":{\"ids\":[1],\"tokens\":[1]}}}",
                 TOK_ERR_FORMAT, "at post_processor.special_tokens.<s>.tokens[0]: expected a string");
    expect_error("{\"type\":\"Sequence\",\"processors\":[{\"type\":\"ByteLevel\"},{\"type\":\"Nope\"}]}", TOK_ERR_UNSUPPORTED,
                 "at post_processor.processors[1].type: unsupported post-processor type \"Nope\"");
    expect_error("{\"type\":\"Sequence\",\"processors\":null}", TOK_ERR_FORMAT, "missing required key \"processors\"");
}

/* ---- End to end through tok_load_memory/tok_encode_pair (tokenizer.json
 * strings; expected values from the HF Node binding). ---- */

static const char bert_json[] = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[{\"id\":12,\"content\":\"[MASK]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,\"strip_accents\":null,\"lowercase\":true},\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",3],\"cls\":[\"[CLS]\",2]},\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true},\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":100,\"vocab\":{\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3,\"hello\":4,\"world\":5,\"##s\":6,\"how\":7,\"are\":8,\"you\":9,\"?\":10,\",\":11,\"[MASK]\":12,\"!\":13}}}";
static const char roberta_json[] = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[{\"id\":0,\"content\":\"<s>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":true,\"special\":true},{\"id\":2,\"content\":\"</s>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":true,\"special\":true}],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},\"post_processor\":{\"type\":\"RobertaProcessing\",\"sep\":[\"</s>\",2],\"cls\":[\"<s>\",0],\"trim_offsets\":true,\"add_prefix_space\":true},\"decoder\":{\"type\":\"ByteLevel\",\"add_prefix_space\":true,\"trim_offsets\":true,\"use_regex\":true},\"model\":{\"type\":\"WordLevel\",\"unk_token\":\"<unk>\",\"vocab\":{\"<s>\":0,\"<unk>\":1,\"</s>\":2,\"\xC4\xA0hello\":3,\"\xC4\xA0world\":4,\"\xC4\xA0\":5,\"\xC4\xA0\xC4\xA0\":6,\"\xC4\xA0how\":7,\"\xC4\xA0\xC4\xA0\xC4\xA0\":8,\"\xC4\xA0\xC3\xA9\":9,\"!\":10}}}";

typedef struct { const char *a, *b; bool add; const char *want; } ecase;

static const ecase bert_cases[] = {
    {"Hello, worlds!", "How are you?", true, "2,0,0,-1,0,1 4,0,5,0,0,0 11,5,6,1,0,0 5,7,12,2,0,0 6,12,13,2,0,0 13,13,14,3,0,0 3,0,0,-1,0,1 7,0,3,0,1,0 8,4,7,1,1,0 9,8,11,2,1,0 10,11,12,3,1,0 3,0,0,-1,1,1"},
    {"Hello, worlds!", "How are you?", false, "4,0,5,0,0,0 11,5,6,1,0,0 5,7,12,2,0,0 6,12,13,2,0,0 13,13,14,3,0,0 7,0,3,0,1,0 8,4,7,1,1,0 9,8,11,2,1,0 10,11,12,3,1,0"},
    {"hello [MASK] you", NULL, true, "2,0,0,-1,0,1 4,0,5,0,0,0 12,6,12,1,0,0 9,13,16,2,0,0 3,0,0,-1,0,1"},
};
static const ecase roberta_cases[] = {
    {"hello  world ", "  how", true, "0,0,0,-1,0,1 3,0,5,0,0,0 5,6,6,1,0,0 4,7,12,2,0,0 5,13,13,3,0,0 2,0,0,-1,0,1 2,0,0,-1,0,1 5,0,0,0,0,0 7,2,5,1,0,0 2,0,0,-1,0,1"},
    {"hello \xC3\xA9!", NULL, true, "0,0,0,-1,0,1 3,0,5,0,0,0 1,5,8,1,0,0 10,8,9,2,0,0 2,0,0,-1,0,1"},
    {"hello", "how", false, "3,0,5,0,0,0 7,0,3,0,0,0"},
};

static void run_e2e(const char *json, const ecase *cases, size_t n)
{
    tok_tokenizer *t = tu_load_json(json);
    tok_ctx *c = tok_ctx_new(t);
    for (size_t i = 0; i < n; i++) {
        tok_encode_options o;
        tok_encode_options_init(&o);
        o.flags = TOK_ENC_OFFSETS | (cases[i].add ? TOK_ENC_ADD_SPECIAL : 0);
        tok_encoding e;
        tok_status st = cases[i].b ? tok_encode_pair(c, cases[i].a, strlen(cases[i].a), cases[i].b, strlen(cases[i].b), &o, &e)
                                   : tok_encode(c, cases[i].a, strlen(cases[i].a), &o, &e);
        if (st) fail_msg("encode %zu: %s", i, tok_ctx_error(c));
        char got[2048];
        size_t k = 0;
        got[0] = 0;
        for (size_t j = 0; j < e.n && k < sizeof got; j++)
            k += (size_t)snprintf(got + k, sizeof got - k, "%s%d,%u,%u,%d,%u,%u", j ? " " : "", e.ids[j], e.offsets[j].start,
                                  e.offsets[j].end, e.words[j], e.type_ids[j], e.special[j]);
        if (strcmp(got, cases[i].want)) fail_msg("encode %zu (\"%s\"):\n  got  %s\n  want %s", i, cases[i].a, got, cases[i].want);
    }
    tok_ctx_free(c);
    tok_free(t);
}

static void test_e2e_bert(void **state)
{
    (void)state;
    run_e2e(bert_json, bert_cases, sizeof bert_cases / sizeof bert_cases[0]);
}

static void test_e2e_roberta(void **state)
{
    (void)state;
    run_e2e(roberta_json, roberta_cases, sizeof roberta_cases / sizeof roberta_cases[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_cases),
        cmocka_unit_test(test_template_shorthand),
        cmocka_unit_test(test_template_runtime_errors),
        cmocka_unit_test(test_bert_roberta_shape),
        cmocka_unit_test(test_to_json_matches_hf),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_e2e_bert),
        cmocka_unit_test(test_e2e_roberta),
    };
    return cmocka_run_group_tests_name("processors", tests, NULL, NULL);
}
