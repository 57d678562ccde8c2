package io.jvfio.vfio;

/** VFIO_GROUP_GET_STATUS. */
public record VfioGroupStatus(boolean viable, boolean containerSet) {}
