module github.com/seclabel/seclabel

go 1.26.8

require github.com/valyala/fastjson v1.6.10
