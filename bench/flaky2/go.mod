module example.com/flaky2

go 1.19
