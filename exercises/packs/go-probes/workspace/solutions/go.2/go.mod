module inventory

go 1.23
