# cmake -DINPUT=file -DOUTPUT=out.cc -DSYMBOL=name -P embed_file.cmake: a C++ file defining
# `extern const unsigned char SYMBOL[]` and `extern const unsigned long SYMBOL_size` (the bytes).
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR size "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT}.\nextern \"C\" const unsigned char ${SYMBOL}[] = {${bytes}};\nextern \"C\" const unsigned long ${SYMBOL}_size = ${size};\n")
