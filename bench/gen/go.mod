module example.com/flakebench/gen

go 1.19
