/* keeps a library with no sources yet buildable */ typedef int sr_empty_unit;
