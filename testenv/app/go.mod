module github.com/openwan/openwan-infra/testenv/app

go 1.26
