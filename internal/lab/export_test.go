package lab_test

import "shipshape/internal/check"

type checkSpec = check.ContainerSpec
