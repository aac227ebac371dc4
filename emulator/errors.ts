/** An error that the API turns into `{"error": message}` with an HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Fly's optional machine-readable status (e.g. "insufficient_capacity"). */
    readonly flyStatus?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (msg: string): ApiError => new ApiError(400, msg);
export const notFound = (msg: string): ApiError => new ApiError(404, msg);
export const conflict = (msg: string): ApiError => new ApiError(409, msg);
export const preconditionFailed = (msg: string): ApiError => new ApiError(412, msg);
export const unprocessable = (msg: string, flyStatus?: string): ApiError =>
  new ApiError(422, msg, flyStatus);
